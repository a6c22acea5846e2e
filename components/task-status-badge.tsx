import type { TaskStatus } from "@/lib/db/schema";
import { TASK_STATUS_LABELS } from "@/lib/demo/task-status";
import { cn } from "@/lib/utils";

const tone: Record<TaskStatus, string> = {
  todo: "bg-neutral-100 text-neutral-700",
  doing: "bg-blue-50 text-blue-700",
  done: "bg-green-50 text-green-700",
  // neutral-600 on neutral-100: 7.0:1 (neutral-500 was 4.34:1, under the 4.5:1 that small text needs).
  cancelled: "bg-neutral-100 text-neutral-600 line-through",
};

export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={cn("rounded-full px-2 py-0.5 text-xs font-medium", tone[status])}>
      {TASK_STATUS_LABELS[status]}
    </span>
  );
}
