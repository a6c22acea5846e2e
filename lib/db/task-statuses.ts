/** A task's statuses, in a module of their own: client components import them without the schema (and drizzle). */
export const TASK_STATUSES = ["todo", "doing", "done", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
