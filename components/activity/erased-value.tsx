import { ERASED_LABEL } from "@/lib/activity-client/describe";
import { cn } from "@/lib/utils";

/** Where erasure removed a person's data (their name, a personal field): said plainly, not shown as empty. */
export function ErasedValue({ className }: { className?: string }) {
  return (
    <span className={cn("text-muted-foreground italic", className)} title="Personal data erased on request">
      {ERASED_LABEL}
    </span>
  );
}
