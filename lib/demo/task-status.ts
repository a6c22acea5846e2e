import type { TASK_STATUSES } from "@/lib/db/schema";

/** What the app calls each status (a module of its own: client components import it). */
export const TASK_STATUS_LABELS: Record<(typeof TASK_STATUSES)[number], string> = {
  todo: "To do",
  doing: "Doing",
  done: "Done",
  cancelled: "Cancelled",
};
