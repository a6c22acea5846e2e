import { describe, expect, it } from "vitest";
import type { ActivityEventRow } from "@/lib/activity";
import { allEvents, testKit, unattributedEvents } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import { createOperations, type Operations, type OperationViewer } from "./operations";

const t = setupTestDb();

describe("the demo's operations (what every server action calls)", () => {
  it("each leaves one attributed event and no unattributed change", async () => {
    const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin", "member"]);
    const viewer: OperationViewer = {
      user: { id: members[0]!.id, name: "Alice Adams" },
      workspace: { id: workspace.id, role: "admin" },
    };
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
    const data = <T>(result: { ok: true; data: T } | { ok: false }): T => {
      if (!result.ok) throw new Error(JSON.stringify(result));
      return result.data;
    };

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
      `delete project:${project.id} by Alice Adams`,
    ]);
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
