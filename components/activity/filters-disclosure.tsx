"use client";

import { type ReactNode, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

/**
 * Below `md` the filter form folds behind one "Filters" button (`aria-expanded`), so a phone sees the
 * feed first; from `md` up the form is always shown and the button is not there. What is outside
 * `children` (the filter chips) stays in view either way.
 */
export function FiltersDisclosure({ children, after }: { children: ReactNode; after?: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="space-y-3">
      <Button
        type="button"
        variant="outline"
        className="md:hidden"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        Filters
        <span aria-hidden="true" className={cn("text-xs transition-transform", open && "rotate-180")}>
          ▾
        </span>
      </Button>
      <div id={id} className={cn(!open && "max-md:hidden")}>
        {children}
      </div>
      {after}
    </div>
  );
}
