import { describe, expect, it } from "vitest";
import type { ActivityEventRow } from "@/lib/activity";
import { allEvents, sequenceAll, testKit, unattributedEvents } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import { adminViewer, data } from "@/test/operations";
import { createOperations, type Operations, type OperationViewer } from "./operations";
import { getTask } from "./tasks";

const t = setupTestDb();

describe("the demo's operations (what every server action calls)", () => {
  it("each leaves one attributed event and no unattributed change", async () => {
    const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin", "member"]);
    const viewer = adminViewer(workspace, { id: members[0]!.id, name: "Alice Adams" });
    const exercised = new Set<keyof Operations>();
    const inner = createOperations(testKit(() => t.db));
    // Every call goes through a proxy that notes which operation ran, so a new operation that this test
    // forgets to run fails the exhaustiveness check below.
    const ops = new Proxy(inner, {
      get(target, key: keyof Operations) {
        exercised.add(key);
        return target[key];
      },
    });

    const project = data(await ops.createProject(viewer, { name: "Launch", description: "" }));
    data(await ops.updateProject(viewer, { id: project.id, name: "Launch v2", description: "soon" }));
    const task = data(
      await ops.createTask(viewer, {
        title: "Fix login",
        projectId: project.id,
        assigneeId: members[1]!.id,
        dueDate: null,
      }),
    );
    data(
      await ops.updateTask(viewer, {
        id: task.id,
        title: "Fix login redirect",
        status: "doing",
        projectId: project.id,
        assigneeId: null,
        dueDate: "2026-12-24",
      }),
    );
    const comment = data(await ops.createComment(viewer, { taskId: task.id, body: "On it" }));
    data(await ops.deleteComment(viewer, { id: comment.id }));
    data(await ops.cancelTask(viewer, { id: task.id, reason: "Duplicate" }));
    data(await ops.deleteTask(viewer, { id: task.id }));
    data(await ops.archiveProject(viewer, { id: project.id }));
    data(await ops.deleteProject(viewer, { id: project.id }));

    expect([...exercised].sort()).toEqual(Object.keys(inner).sort());
    expect(await unattributedEvents(t.db)).toEqual([]);
    const summary = (e: ActivityEventRow) => `${e.action} ${e.recordType}:${e.recordId} by ${e.actorLabel}`;
    expect((await allEvents(t.db)).map(summary)).toEqual([
      `insert project:${project.id} by Alice Adams`,
      `update project:${project.id} by Alice Adams`,
      `insert task:${task.id} by Alice Adams`,
      `update task:${task.id} by Alice Adams`,
      `insert comment:${comment.id} by Alice Adams`,
      `delete comment:${comment.id} by Alice Adams`,
      `task.cancelled task:${task.id} by Alice Adams`,
      `delete task:${task.id} by Alice Adams`,
      `project.archived project:${project.id} by Alice Adams`,
      `delete project:${project.id} by Alice Adams`,
    ]);
  });

  it("archiving a project cancels its open tasks, each an action nested in the archive", async () => {
    const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin"]);
    const viewer = adminViewer(workspace, { id: members[0]!.id, name: "Alice Adams" });
    const kit = testKit(() => t.db);
    const ops = createOperations(kit);
    const launch = data(await ops.createProject(viewer, { name: "Launch", description: "" }));
    const other = data(await ops.createProject(viewer, { name: "Billing", description: "" }));
    const add = async (title: string, projectId: number) =>
      data(await ops.createTask(viewer, { title, projectId, assigneeId: null, dueDate: null }));
    const todo = await add("Write docs", launch.id);
    const doing = await add("Fix login", launch.id);
    const done = await add("Ship it", launch.id);
    const elsewhere = await add("Send invoices", other.id);
    data(await ops.updateTask(viewer, { ...doing, status: "doing" }));
    data(await ops.updateTask(viewer, { ...done, status: "done" }));
    const before = (await allEvents(t.db)).length;

    const archived = data(await ops.archiveProject(viewer, { id: launch.id }));
    expect(archived).toMatchObject({ id: launch.id, cancelledTasks: 2 });
    expect(archived.archivedAt).toBeInstanceOf(Date);

    const events = (await allEvents(t.db)).slice(before);
    const [archive, ...cancelled] = events;
    expect(events.map((e) => `${e.action} ${e.recordType}:${e.recordId}`)).toEqual([
      `project.archived project:${launch.id}`,
      `task.cancelled task:${todo.id}`,
      `task.cancelled task:${doing.id}`,
    ]);
    expect(archive!.metadata.parentEventId).toBeUndefined();
    for (const event of cancelled) {
      expect(event.metadata).toMatchObject({
        parentEventId: String(archive!.id),
        reason: "The project Launch was archived.",
      });
      expect(event.txId).toBe(archive!.txId);
    }
    // The feed names the enclosing action on each nested line, as the browser reads it.
    await sequenceAll(t.db);
    const page = await kit.feed(String(workspace.id), new URLSearchParams({ record: `task:${todo.id}` }));
    expect(page.items[0]).toMatchObject({
      action: "task.cancelled",
      parent: {
        id: String(archive!.id),
        action: "project.archived",
        subject: "project Launch",
        actorName: "Alice Adams",
      },
    });
    const statuses = await Promise.all(
      [todo, doing, done, elsewhere].map(async (task) => (await getTask(t.db, workspace.id, task.id))!.status),
    );
    expect(statuses).toEqual(["cancelled", "cancelled", "done", "todo"]);

    // Archiving it again is refused, and stores nothing.
    await expect(ops.archiveProject(viewer, { id: launch.id })).rejects.toMatchObject({ code: "conflict" });
    expect(await allEvents(t.db)).toHaveLength(before + 3);
  });

  it("a refused operation stores nothing", async () => {
    const acme = await createWorkspace(t.db, "Acme");
    const globex = await createWorkspace(t.db, "Globex");
    const ops = createOperations(testKit(() => t.db));
    const viewer = (w: typeof acme): OperationViewer => ({
      user: { id: w.members[0]!.id, name: "someone" },
      workspace: { id: w.workspace.id, role: "admin" },
    });
    const task = await ops.createTask(viewer(acme), {
      title: "Acme's",
      projectId: null,
      assigneeId: null,
      dueDate: null,
    });
    if (!task.ok) throw new Error("setup failed");
    await expect(ops.deleteTask(viewer(globex), { id: task.data.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(ops.cancelTask(viewer(acme), { id: task.data.id, reason: " " })).rejects.toThrow(/reason/);
    expect((await allEvents(t.db)).map((e) => e.action)).toEqual(["insert"]);
  });
});
