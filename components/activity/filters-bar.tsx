"use client";

import { Button } from "@/components/ui/button";
import { actionLabel } from "@/lib/activity-client/describe";
import { type FeedSearchFilters, type FilterKey, feedHref, hasFilters } from "@/lib/activity-client/feed-query";
import { useFeedNavigation } from "./feed-navigation";
import type { FilterChip } from "./filter-chips";
import { FilterForm, FilterSelect, type InvalidFilter, invalidFieldProps } from "./filter-form";
import { FieldLabel as Label } from "./form-controls";
import { RecordPicker } from "./record-picker";

/**
 * The feed's filters. They live in the URL: applying pushes a new entry (Back undoes it, a reload or a
 * shared link keeps it), and the server page renders the filtered feed. Without script the form is a plain
 * GET to the same page. Remount it (a `key`) when the URL changes so the fields show the URL's values.
 * The record is picked by name (a search as you type); the filters in force show as removable chips; on a
 * phone the form folds behind a "Filters" button.
 */
export function FiltersBar({
  filters,
  members,
  actions,
  invalid,
  feedPath = "/activity",
  recordPlaceholder = "Search by name",
  recordLabel,
  recordsEndpoint,
}: {
  filters: FeedSearchFilters;
  /**
   * Everyone who can be picked as "User" (the URL's actor is added when it is not among them). Without it
   * there is no User field; a name in a line still filters by that person.
   */
  members?: { id: string; name: string }[];
  actions: readonly string[];
  /** The filter the server refused, and the id of the element that says why. */
  invalid?: InvalidFilter<FilterKey>;
  /** The feed page (the form's GET target without script). */
  feedPath?: string;
  /** The Record field's hint (it searches records by name; a key such as `note:42` is taken as it is). */
  recordPlaceholder?: string;
  /** The name of the URL's record, for its field and chip (the page looks it up: `activity.recordLabel`). */
  recordLabel?: string | null;
  /** The record search (`GET /api/activity/records` by default: `createRecordsRoute`). */
  recordsEndpoint?: string;
}) {
  const { pending, navigate } = useFeedNavigation();
  const go = (next: FeedSearchFilters) => navigate(feedHref(next, feedPath));

  const fieldProps = (key: FilterKey) => invalidFieldProps(invalid, key);

  const chips: FilterChip[] = [];
  if (filters.actor) {
    const name = members?.find((m) => m.id === filters.actor)?.name ?? `User ${filters.actor}`;
    chips.push({ key: "actor", name: "User", value: name });
  }
  if (filters.action) chips.push({ key: "action", name: "Action", value: actionLabel(filters.action) });
  if (filters.record) chips.push({ key: "record", name: "Record", value: recordLabel || filters.record });

  return (
    <FilterForm
      filters={filters}
      chips={chips}
      pending={pending}
      go={go}
      action={feedPath}
      className="grid gap-3 sm:grid-cols-[1fr_1fr_1fr_auto] sm:items-end"
    >
      {members ? (
        <FilterSelect
          id="filter-actor"
          name="actor"
          label="User"
          all="All users"
          options={members.map((member) => ({ value: member.id, label: member.name }))}
          defaultValue={filters.actor ?? ""}
          {...fieldProps("actor")}
        />
      ) : filters.actor ? (
        <input type="hidden" name="actor" value={filters.actor} />
      ) : null}
      <FilterSelect
        id="filter-action"
        name="action"
        label="Action"
        all="All actions"
        options={actions.map((action) => ({ value: action, label: actionLabel(action) }))}
        defaultValue={filters.action ?? ""}
        {...fieldProps("action")}
      />
      <div className="space-y-1.5">
        <Label htmlFor="filter-record">Record</Label>
        <RecordPicker
          id="filter-record"
          name="record"
          placeholder={recordPlaceholder}
          defaultValue={filters.record}
          defaultLabel={recordLabel}
          endpoint={recordsEndpoint}
          {...fieldProps("record")}
        />
      </div>
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          Apply
        </Button>
        <Button
          type="button"
          variant="ghost"
          disabled={pending}
          onClick={(event) => {
            event.currentTarget.form?.reset();
            if (hasFilters(filters)) go({});
          }}
        >
          Clear filters
        </Button>
      </div>
    </FilterForm>
  );
}
