import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/**
 * The label and the native select of the kit's filter forms. Native elements, not shadcn's `label` and
 * `select` (a Radix popover with another API): a GET form then works without script, and the kit needs
 * no more primitives than `button`, `input` and `card`.
 */
export function FieldLabel({ className, htmlFor, children, ...props }: ComponentProps<"label"> & { htmlFor: string }) {
  return (
    <label htmlFor={htmlFor} className={cn("text-sm font-medium", className)} {...props}>
      {children}
    </label>
  );
}

export function NativeSelect({ className, ...props }: ComponentProps<"select">) {
  return (
    <select
      className={cn(
        "block h-9 w-full rounded-md border border-border bg-card px-3 py-1 text-sm shadow-xs focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-600 aria-[invalid=true]:border-destructive disabled:opacity-50",
        className,
      )}
      {...props}
    />
  );
}
