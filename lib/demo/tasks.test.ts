import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/result";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import { createComment, listComments } from "./comments";
import { createProject, deleteProject } from "./projects";
import {
  cancelTask,
  createTask,
  createTaskSchema,
  deleteTask,
  getTask,
  listTasks,
  updateTask,
  updateTaskSchema,
} from "./tasks";

const t = setupTestDb();

describe("task input", () => {
  it("trims the title and turns empty selects into null", () => {
    expect(createTaskSchema.parse({ title: "  Fix login ", projectId: "", assigneeId: "", dueDate: "" })).toEqual({
      title: "Fix login",
      projectId: null,
      assigneeId: null,
      dueDate: null,
    });
  });
  it("names the field that is wrong", () => {
    const result = createTaskSchema.safeParse({ title: " ", dueDate: "31/12/2026", projectId: "abc" });
    expect(result.success).toBe(false);
    const fields = new Set(result.error?.issues.map((i) => i.path[0]));
    expect(fields).toEqual(new Set(["title", "dueDate", "projectId"]));
  });
  it("accepts only known statuses", () => {
    expect(updateTaskSchema.safeParse({ id: "1", title: "x", status: "archived" }).success).toBe(false);
  });
});

describe("tasks in a workspace", () => {
  it("creates, updates and deletes a task", async () => {
    const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin", "member"]);
    const project = await createProject(t.db, workspace.id, { name: "Launch", description: "" });
    const task = await createTask(t.db, workspace.id, {
      title: "Fix login",
      projectId: project.id,
      assigneeId: members[1]!.id,
      dueDate: "2026-12-01",
    });
    expect(task).toMatchObject({ title: "Fix login", status: "todo", dueDate: "2026-12-01" });

    const updated = await updateTask(t.db, workspace.id, {
      id: task.id,
      title: "Fix the login redirect",
      status: "doing",
      projectId: null,
      assigneeId: null,
      dueDate: null,
    });
    expect(updated).toMatchObject({ title: "Fix the login redirect", status: "doing", projectId: null });

    await deleteTask(t.db, workspace.id, task.id);
    expect(await getTask(t.db, workspace.id, task.id)).toBeNull();
  });

  it("does not let an edit cancel a task (that needs a reason), but keeps a cancelled one cancelled", async () => {
    const { workspace } = await createWorkspace(t.db, "Acme");
    const task = await createTask(t.db, workspace.id, { title: "x", projectId: null, assigneeId: null, dueDate: null });
    const edit = { id: task.id, title: "x", projectId: null, assigneeId: null, dueDate: null } as const;
    await expect(updateTask(t.db, workspace.id, { ...edit, status: "cancelled" })).rejects.toMatchObject({
      fieldErrors: { status: [expect.stringContaining("Cancel task")] },
    });
    await cancelTask(t.db, workspace.id, task.id);
    expect(await updateTask(t.db, workspace.id, { ...edit, title: "y", status: "cancelled" })).toMatchObject({
      title: "y",
      status: "cancelled",
    });
  });

  it("never reads or changes another workspace's task", async () => {
    const acme = await createWorkspace(t.db, "Acme");
    const globex = await createWorkspace(t.db, "Globex");
    const task = await createTask(t.db, acme.workspace.id, {
      title: "Secret",
      projectId: null,
      assigneeId: null,
      dueDate: null,
    });

    expect(await getTask(t.db, globex.workspace.id, task.id)).toBeNull();
    expect(await listTasks(t.db, globex.workspace.id)).toEqual([]);
    await expect(deleteTask(t.db, globex.workspace.id, task.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(
      updateTask(t.db, globex.workspace.id, {
        id: task.id,
        title: "Mine now",
        status: "done",
        projectId: null,
        assigneeId: null,
        dueDate: null,
      }),
    ).rejects.toBeInstanceOf(AppError);
    expect(await getTask(t.db, acme.workspace.id, task.id)).toMatchObject({ title: "Secret", status: "todo" });
  });

  it("refuses a project or an assignee from another workspace, as a field error", async () => {
    const acme = await createWorkspace(t.db, "Acme");
    const globex = await createWorkspace(t.db, "Globex");
    const foreignProject = await createProject(t.db, globex.workspace.id, { name: "Theirs", description: "" });
    const base = { title: "x", projectId: null, assigneeId: null, dueDate: null };
    await expect(createTask(t.db, acme.workspace.id, { ...base, projectId: foreignProject.id })).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { projectId: [expect.stringContaining("does not exist")] },
    });
    await expect(
      createTask(t.db, acme.workspace.id, { ...base, assigneeId: globex.members[0]!.id }),
    ).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { assigneeId: [expect.stringContaining("not a member")] },
    });
    expect(await listTasks(t.db, acme.workspace.id)).toEqual([]);
  });

  it("deleting a project deletes its tasks and their comments", async () => {
    const { workspace, members } = await createWorkspace(t.db, "Acme");
    const project = await createProject(t.db, workspace.id, { name: "Doomed", description: "" });
    const task = await createTask(t.db, workspace.id, {
      title: "Inside",
      projectId: project.id,
      assigneeId: null,
      dueDate: null,
    });
    await createComment(t.db, workspace.id, members[0]!.id, { taskId: task.id, body: "hello" });
    await deleteProject(t.db, workspace.id, project.id);
    expect(await getTask(t.db, workspace.id, task.id)).toBeNull();
    expect(await listComments(t.db, workspace.id, task.id)).toEqual([]);
  });
});
