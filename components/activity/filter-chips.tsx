"use client";

import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";

// Removing a chip navigates, and the chips come back remounted: whether the focus was on them then, so that
// it lands on the first chip left instead of on the page's body.
let refocusChips = false;

export interface FilterChip {
  /** The URL parameter it stands for. */
  key: string;
  /** What the filter is, as its field is labelled ("User"). */
  name: string;
  /** Its value as people read it ("Bob Brown", not 2). */
  value: string;
}

/**
 * The filters in force, one chip each ("User: Bob Brown ×"), each with a button that removes it, and
 * "Clear all". Shown beside the form (also when a phone folds the form away).
 */
export function FilterChips({
  chips,
  pending,
  onRemove,
  onClear,
}: {
  chips: FilterChip[];
  pending?: boolean;
  onRemove(key: string): void;
  onClear(): void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!refocusChips) return;
    refocusChips = false;
    ref.current?.querySelector<HTMLButtonElement>("button")?.focus();
  }, []);
  if (chips.length === 0) return null;
  return (
    <div ref={ref} className="flex flex-wrap items-center gap-2">
      <ul aria-label="Active filters" className="flex flex-wrap items-center gap-2">
        {chips.map((chip) => {
          const text = `${chip.name}: ${chip.value}`;
          return (
            <li
              key={chip.key}
              className="inline-flex max-w-full items-center gap-1 rounded-full border border-border bg-muted py-0.5 pr-0.5 pl-3 text-sm"
            >
              <span className="truncate">
                <span className="text-muted-foreground">{chip.name}:</span> {chip.value}
              </span>
              <button
                type="button"
                aria-label={`Remove filter ${text}`}
                title={`Remove filter ${text}`}
                disabled={pending}
                onClick={() => {
                  refocusChips = chips.length > 1;
                  onRemove(chip.key);
                }}
                className="inline-flex size-6 shrink-0 items-center justify-center rounded-full hover:bg-card focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-600 disabled:opacity-50"
              >
                <span aria-hidden="true" className="text-base leading-none">
                  ×
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <Button type="button" variant="ghost" size="sm" disabled={pending} onClick={onClear}>
        Clear all
      </Button>
    </div>
  );
}
