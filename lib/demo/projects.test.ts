import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import { createProject, listProjects } from "./projects";
import { cancelTask, createTask, updateTask } from "./tasks";

const t = setupTestDb();

describe("the projects list", () => {
  it("counts each project's tasks that are to do or doing, and no other", async () => {
    const { workspace } = await createWorkspace(t.db, "Acme");
    const billing = await createProject(t.db, workspace.id, { name: "Billing", description: "" });
    const launch = await createProject(t.db, workspace.id, { name: "Launch", description: "" });
    const empty = await createProject(t.db, workspace.id, { name: "Someday", description: "" });
    const add = (projectId: number | null, title: string) =>
      createTask(t.db, workspace.id, { title, projectId, assigneeId: null, dueDate: null });
    const set = (task: { id: number; title: string; projectId: number | null }, status: "doing" | "done") =>
      updateTask(t.db, workspace.id, { ...task, status, assigneeId: null, dueDate: null });

    // Billing: four doing and one to do (five open), one done, one cancelled.
    const billingTasks = [];
    for (let i = 0; i < 7; i++) billingTasks.push(await add(billing.id, `Billing ${i}`));
    for (const task of billingTasks.slice(0, 4)) await set(task, "doing");
    await set(billingTasks[5]!, "done");
    await cancelTask(t.db, workspace.id, billingTasks[6]!.id);
    // Launch: one to do. Tasks without a project count nowhere.
    await add(launch.id, "Launch 0");
    await add(null, "Loose 0");
    await add(null, "Loose 1");

    const rows = await listProjects(t.db, workspace.id);
    expect(rows.map((r) => [r.name, r.openTasks])).toEqual([
      ["Billing", 5],
      ["Launch", 1],
      ["Someday", 0],
    ]);
    expect(empty.id).toBeGreaterThan(0);
  });
});
