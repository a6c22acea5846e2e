import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { memberships, projects, TASK_STATUSES, tasks, users } from "@/lib/db/schema";
import type { Executor } from "@/lib/db/types";
import { AppError } from "@/lib/result";
import { optionalDate, optionalId, plainText, requiredId, title } from "./fields";
import { writtenAt } from "./written-at";

export { TASK_STATUS_LABELS } from "./task-status";

export const createTaskSchema = z.object({
  title: title("Title"),
  projectId: optionalId,
  assigneeId: optionalId,
  dueDate: optionalDate,
});
export type CreateTaskInput = z.output<typeof createTaskSchema>;

export const updateTaskSchema = createTaskSchema.extend({
  id: requiredId,
  // Cancelling asks for a reason, so it has an action of its own: an edit may only keep it cancelled.
  status: z.enum(TASK_STATUSES, { message: "Choose a status." }),
});
export type UpdateTaskInput = z.output<typeof updateTaskSchema>;

export const cancelTaskSchema = z.object({
  id: requiredId,
  reason: plainText().trim().min(1, "Say why the task is cancelled.").max(500, "Keep the reason under 500 characters."),
});
export type CancelTaskInput = z.output<typeof cancelTaskSchema>;

export function listTasks(db: Executor, workspaceId: number, filter: { projectId?: number } = {}) {
  return db
    .select({
      id: tasks.id,
      title: tasks.title,
      status: tasks.status,
      dueDate: tasks.dueDate,
      projectId: tasks.projectId,
      projectName: projects.name,
      assigneeName: users.name,
      updatedAt: tasks.updatedAt,
    })
    .from(tasks)
    .leftJoin(projects, eq(projects.id, tasks.projectId))
    .leftJoin(users, eq(users.id, tasks.assigneeId))
    .where(
      and(eq(tasks.workspaceId, workspaceId), filter.projectId ? eq(tasks.projectId, filter.projectId) : undefined),
    )
    .orderBy(sql`${tasks.status} in ('done', 'cancelled')`, desc(tasks.id));
}

export async function getTask(db: Executor, workspaceId: number, id: number) {
  const [task] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.id, id)));
  return task ?? null;
}

/** People a task in this workspace can be assigned to. */
export function listAssignees(db: Executor, workspaceId: number) {
  return db
    .select({ id: users.id, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(users.name));
}

/** Rejects a project or assignee from outside the workspace, as a field error. */
async function checkReferences(
  db: Executor,
  workspaceId: number,
  input: { projectId: number | null; assigneeId: number | null },
) {
  if (input.projectId !== null) {
    const [project] = await db
      .select({ id: projects.id })
      .from(projects)
      .where(and(eq(projects.workspaceId, workspaceId), eq(projects.id, input.projectId)));
    if (!project)
      throw new AppError("validation", "Please correct the highlighted fields.", {
        projectId: ["That project does not exist in this workspace."],
      });
  }
  if (input.assigneeId !== null) {
    const [member] = await db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, input.assigneeId)));
    if (!member)
      throw new AppError("validation", "Please correct the highlighted fields.", {
        assigneeId: ["That person is not a member of this workspace."],
      });
  }
}

export async function lockTask(db: Executor, workspaceId: number, id: number) {
  const [task] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.workspaceId, workspaceId), eq(tasks.id, id)))
    .for("update");
  if (!task) throw new AppError("not_found", "That task does not exist (it may have been deleted).");
  return task;
}

export async function createTask(db: Executor, workspaceId: number, input: CreateTaskInput) {
  await checkReferences(db, workspaceId, input);
  const [task] = await db
    .insert(tasks)
    .values({
      workspaceId,
      title: input.title,
      projectId: input.projectId,
      assigneeId: input.assigneeId,
      dueDate: input.dueDate,
      createdAt: writtenAt(),
      updatedAt: writtenAt(),
    })
    .returning();
  return task!;
}

export async function updateTask(db: Executor, workspaceId: number, input: UpdateTaskInput) {
  const current = await lockTask(db, workspaceId, input.id);
  if (input.status === "cancelled" && current.status !== "cancelled") {
    throw new AppError("validation", "Please correct the highlighted fields.", {
      status: ["To cancel a task, use “Cancel task”: it asks for a reason."],
    });
  }
  await checkReferences(db, workspaceId, input);
  const [task] = await db
    .update(tasks)
    .set({
      title: input.title,
      status: input.status,
      projectId: input.projectId,
      assigneeId: input.assigneeId,
      dueDate: input.dueDate,
      updatedAt: writtenAt(),
    })
    .where(eq(tasks.id, input.id))
    .returning();
  return task!;
}

export async function cancelTask(db: Executor, workspaceId: number, id: number) {
  const task = await lockTask(db, workspaceId, id);
  if (task.status === "cancelled") throw new AppError("conflict", "This task is already cancelled.");
  const [updated] = await db
    .update(tasks)
    .set({ status: "cancelled", updatedAt: writtenAt() })
    .where(eq(tasks.id, id))
    .returning();
  return updated!;
}

/** Deletes the task; its comments go with it (ON DELETE CASCADE). */
export async function deleteTask(db: Executor, workspaceId: number, id: number) {
  const task = await lockTask(db, workspaceId, id);
  await db.delete(tasks).where(eq(tasks.id, id));
  return task;
}
