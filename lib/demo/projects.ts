import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { projects, tasks } from "@/lib/db/schema";
import type { Executor } from "@/lib/db/types";
import { AppError } from "@/lib/result";
import { plainText, requiredId, title } from "./fields";
import { writtenAt } from "./written-at";

export const projectInputSchema = z.object({
  name: title("Name", 120),
  description: plainText().trim().max(2000, "Description must be at most 2000 characters.").default(""),
});
export const updateProjectSchema = projectInputSchema.extend({ id: requiredId });
export type ProjectInput = z.output<typeof projectInputSchema>;

export function listProjects(db: Executor, workspaceId: number) {
  return db
    .select({
      id: projects.id,
      name: projects.name,
      description: projects.description,
      archivedAt: projects.archivedAt,
      updatedAt: projects.updatedAt,
      // A join, not a correlated subquery: drizzle leaves the columns of a one-table query unqualified, so
      // inside a subquery on tasks `projects.id` would have read as the task's own id.
      openTasks: sql<number>`(count(${tasks.id}) filter (where ${tasks.status} in ('todo', 'doing')))::int`,
    })
    .from(projects)
    .leftJoin(tasks, eq(tasks.projectId, projects.id))
    .where(eq(projects.workspaceId, workspaceId))
    .groupBy(projects.id)
    .orderBy(asc(projects.name), asc(projects.id));
}

export async function getProject(db: Executor, workspaceId: number, id: number) {
  const [project] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.workspaceId, workspaceId), eq(projects.id, id)));
  return project ?? null;
}

/** Reads the project for a change, locked, or fails with not_found (also for another workspace's). */
async function lockProject(db: Executor, workspaceId: number, id: number) {
  const [project] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.workspaceId, workspaceId), eq(projects.id, id)))
    .for("update");
  if (!project) throw new AppError("not_found", "That project does not exist (it may have been deleted).");
  return project;
}

export async function createProject(db: Executor, workspaceId: number, input: ProjectInput) {
  const [project] = await db
    .insert(projects)
    .values({
      workspaceId,
      name: input.name,
      description: input.description,
      createdAt: writtenAt(),
      updatedAt: writtenAt(),
    })
    .returning();
  return project!;
}

export async function updateProject(db: Executor, workspaceId: number, id: number, input: ProjectInput) {
  await lockProject(db, workspaceId, id);
  const [project] = await db
    .update(projects)
    .set({ name: input.name, description: input.description, updatedAt: writtenAt() })
    .where(eq(projects.id, id))
    .returning();
  return project!;
}

/** Deletes the project; its tasks and their comments go with it (ON DELETE CASCADE). */
export async function deleteProject(db: Executor, workspaceId: number, id: number) {
  const project = await lockProject(db, workspaceId, id);
  await db.delete(projects).where(eq(projects.id, id));
  return project;
}

/** Marks the project archived, or fails with conflict when it already is; its open tasks are not touched here. */
export async function archiveProject(db: Executor, workspaceId: number, id: number) {
  const project = await lockProject(db, workspaceId, id);
  if (project.archivedAt) throw new AppError("conflict", "This project is already archived.");
  const [archived] = await db
    .update(projects)
    .set({ archivedAt: writtenAt(), updatedAt: writtenAt() })
    .where(eq(projects.id, id))
    .returning();
  return archived!;
}

/** The project's tasks that are to do or doing, oldest first. */
export async function openTaskIds(db: Executor, workspaceId: number, projectId: number) {
  const rows = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(eq(tasks.workspaceId, workspaceId), eq(tasks.projectId, projectId), inArray(tasks.status, ["todo", "doing"])),
    )
    .orderBy(asc(tasks.id));
  return rows.map((r) => r.id);
}
