"use client";

import type { ComponentProps, FormEvent, ReactNode } from "react";
import { type AuditFilterKey, type FeedSearchFilters, filtersFrom } from "@/lib/activity-client/feed-query";
import { type FilterChip, FilterChips } from "./filter-chips";
import { FiltersDisclosure } from "./filters-disclosure";
import { FieldLabel, NativeSelect } from "./form-controls";

/** The filter the server refused, and the id of the element that says why. */
export interface InvalidFilter<K extends string = AuditFilterKey> {
  parameter: K;
  describedBy: string;
}

/** A field's attributes when it holds the filter the server refused: invalid, and pointing at why. */
export function invalidFieldProps<K extends string>(invalid: InvalidFilter<K> | undefined, key: K) {
  return invalid?.parameter === key ? { "aria-invalid": true, "aria-describedby": invalid.describedBy } : {};
}

/** A labelled select of a filter form: `all` (no filter) first, then the options. */
export function FilterSelect({
  id,
  label,
  all,
  options,
  ...select
}: ComponentProps<"select"> & {
  id: string;
  label: string;
  all: string;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <div className="space-y-1.5">
      <FieldLabel htmlFor={id}>{label}</FieldLabel>
      <NativeSelect id={id} {...select}>
        <option value="">{all}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </NativeSelect>
    </div>
  );
}

/**
 * A filter form as the feed and the audit log show it: on a phone folded behind "Filters", the filters in
 * force as removable chips beside it (removing one or all navigates), and Apply navigating to the URL of
 * the fields that are set (`keys`: the parameters read from the form). Without script it is a plain GET to
 * `action`.
 */
export function FilterForm({
  filters,
  chips,
  keys,
  pending,
  go,
  action,
  className,
  children,
}: {
  filters: FeedSearchFilters;
  chips: FilterChip[];
  keys?: readonly AuditFilterKey[];
  pending: boolean;
  /** Navigates to the page of these filters. */
  go(next: FeedSearchFilters): void;
  /** The page the form's GET goes to without script. */
  action: string;
  className?: string;
  /** The fields and the buttons. */
  children: ReactNode;
}) {
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    go(filtersFrom(new URLSearchParams([...data.entries()].map(([k, v]) => [k, String(v)])), keys));
  };
  return (
    <FiltersDisclosure
      after={
        <FilterChips
          chips={chips}
          pending={pending}
          onRemove={(key) => go({ ...filters, [key]: undefined })}
          onClear={() => go({})}
        />
      }
    >
      <form method="get" action={action} aria-label="Filters" onSubmit={onSubmit} className={className}>
        {children}
      </form>
    </FiltersDisclosure>
  );
}
