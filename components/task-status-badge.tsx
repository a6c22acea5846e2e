import type { TaskStatus } from "@/lib/db/schema";
import { TASK_STATUS_LABELS } from "@/lib/demo/task-status";
import { cn } from "@/lib/utils";

const tone: Record<TaskStatus, string> = {
  todo: "bg-neutral-100 text-neutral-700",
  doing: "bg-blue-50 text-blue-700",
  done: "bg-green-50 text-green-700",
  cancelled: "bg-neutral-100 text-neutral-500 line-through",
};

export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={cn("rounded-full px-2 py-0.5 text-xs font-medium", tone[status])}>
      {TASK_STATUS_LABELS[status]}
    </span>
  );
}
