import type { TaskStatus } from "@/lib/db/task-statuses";

/** What the app calls each status (a module of its own: client components import it). */
export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  todo: "To do",
  doing: "Doing",
  done: "Done",
  cancelled: "Cancelled",
};
