"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useSyncExternalStore, useTransition } from "react";
import type { FilterChip } from "@/components/activity/filter-chips";
import { FilterForm, FilterSelect, type InvalidFilter, invalidFieldProps } from "@/components/activity/filter-form";
import { FieldLabel as Label } from "@/components/activity/form-controls";
import { RecordPicker } from "@/components/activity/record-picker";
import { Button, buttonVariants } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { actionLabel } from "@/lib/activity-client/describe";
import {
  AUDIT_FILTER_KEYS,
  type AuditFilterKey,
  type DatePreset,
  datePresets,
  type FeedSearchFilters,
  feedHref,
} from "@/lib/activity-client/feed-query";

/** Today's date in UTC (the zone `from` and `to` are read in), in the browser; null on the server. */
const utcToday = () => new Date().toISOString().slice(0, 10);
const notInBrowser = () => null;
const noSubscription = () => () => {};

/**
 * The audit log's filters. They live in the URL (Back, reload and shared links keep them): with script the
 * form navigates to a URL of the filters set only; without, it is a plain GET to the page (which drops the
 * blank fields by a redirect). The record is picked by name; Today, Last 7 days and Last 30 days set the
 * dates in one click; the filters in force show as removable chips; on a phone the form folds behind a
 * "Filters" button.
 */
export function AuditFilters({
  filters,
  members,
  actions,
  types,
  invalid,
  auditPath = "/audit",
  recordPlaceholder = "Search by name",
  recordLabel,
  recordsEndpoint,
}: {
  filters: FeedSearchFilters;
  members: { id: string; name: string }[];
  actions: readonly string[];
  types: readonly string[];
  /** The filter the server refused, and the id of the element that says why. */
  invalid?: InvalidFilter;
  /** The audit log page (the form's GET target). */
  auditPath?: string;
  /** The Record field's hint (it searches records by name; a key such as `note:42` is taken as it is). */
  recordPlaceholder?: string;
  /** The name of the URL's record, for its field and chip (the page looks it up: `activity.recordLabel`). */
  recordLabel?: string | null;
  /** The record search (`GET /api/activity/records` by default: `createRecordsRoute`). */
  recordsEndpoint?: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const go = (next: FeedSearchFilters) => startTransition(() => router.push(feedHref(next, auditPath)));
  const fromRef = useRef<HTMLInputElement>(null);
  const toRef = useRef<HTMLInputElement>(null);
  // Today's presets are known in the browser only (the server's render must not guess the day).
  const today = useSyncExternalStore(noSubscription, utcToday, notInBrowser);
  const presets = useMemo(() => (today ? datePresets(new Date(`${today}T12:00:00Z`)) : null), [today]);

  const applyPreset = (preset: DatePreset) => {
    if (!fromRef.current || !toRef.current) return;
    fromRef.current.value = preset.from;
    toRef.current.value = preset.to;
    fromRef.current.form?.requestSubmit();
  };

  const fieldProps = (key: AuditFilterKey) => ({
    id: `audit-${key}`,
    name: key,
    defaultValue: filters[key] ?? "",
    ...invalidFieldProps(invalid, key),
  });

  const chips: FilterChip[] = [];
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filters[key];
    if (!value) continue;
    if (key === "actor") {
      chips.push({ key, name: "Actor", value: members.find((m) => m.id === value)?.name ?? `User ${value}` });
    } else if (key === "action") chips.push({ key, name: "Action", value: actionLabel(value) });
    else if (key === "type") chips.push({ key, name: "Record type", value });
    else if (key === "record") chips.push({ key, name: "Record", value: recordLabel || value });
    else chips.push({ key, name: key === "from" ? "From" : "To", value });
  }

  return (
    <FilterForm
      filters={filters}
      chips={chips}
      keys={AUDIT_FILTER_KEYS}
      pending={pending}
      go={go}
      action={auditPath}
      className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6"
    >
      <FilterSelect
        label="Actor"
        all="All actors"
        options={members.map((member) => ({ value: member.id, label: member.name }))}
        {...fieldProps("actor")}
      />
      <FilterSelect
        label="Action"
        all="All actions"
        options={actions.map((action) => ({ value: action, label: actionLabel(action) }))}
        {...fieldProps("action")}
      />
      <FilterSelect
        label="Record type"
        all="All types"
        options={types.map((type) => ({ value: type, label: type }))}
        {...fieldProps("type")}
      />
      <div className="space-y-1.5">
        <Label htmlFor="audit-record">Record</Label>
        <RecordPicker
          id="audit-record"
          name="record"
          placeholder={recordPlaceholder}
          defaultValue={filters.record}
          defaultLabel={recordLabel}
          type={filters.type}
          endpoint={recordsEndpoint}
          {...invalidFieldProps(invalid, "record")}
        />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="audit-from">From</Label>
        <Input ref={fromRef} type="date" {...fieldProps("from")} />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="audit-to">To</Label>
        <Input ref={toRef} type="date" {...fieldProps("to")} />
      </div>
      <div className="flex flex-wrap items-center gap-2 sm:col-span-3 lg:col-span-6">
        <Button type="submit" disabled={pending}>
          Apply
        </Button>
        <Link href={auditPath} className={buttonVariants({ variant: "ghost" })}>
          Clear filters
        </Link>
        {presets ? (
          // biome-ignore lint/a11y/useSemanticElements: a group of buttons, not a fieldset of fields
          <div role="group" aria-label="Date range" className="flex flex-wrap items-center gap-1 sm:ml-auto">
            {presets.map((preset) => (
              <Button
                key={preset.label}
                type="button"
                variant="outline"
                size="sm"
                disabled={pending}
                aria-pressed={filters.from === preset.from && filters.to === preset.to}
                onClick={() => applyPreset(preset)}
                className="aria-pressed:bg-muted aria-pressed:font-semibold"
              >
                {preset.label}
              </Button>
            ))}
          </div>
        ) : null}
      </div>
    </FilterForm>
  );
}
