import type { Ref } from "react";
import type { ActivityItem } from "@/lib/activity";
import type { FeedSearchFilters } from "@/lib/activity-client/feed-query";
import { dayKey, dayLabel } from "@/lib/activity-client/time";
import { cn } from "@/lib/utils";
import { useClock } from "./clock";
import { FeedLine } from "./feed-line";

/**
 * The events as one ordered list, one item per event. A day's first item carries the day's heading, so the
 * list stays a flat list of events for assistive technology while it reads as cards per day.
 */
export function FeedList({
  items,
  filters,
  fresh,
  busy,
  feedPath,
  historyPath,
  ref,
}: {
  items: ActivityItem[];
  filters: FeedSearchFilters;
  /** Events that just arrived live: briefly highlighted. */
  fresh: ReadonlySet<string>;
  busy: boolean;
  feedPath?: string;
  historyPath?: string;
  ref?: Ref<HTMLOListElement>;
}) {
  const { now, timeZone } = useClock();
  const days = items.map((item) => dayKey(item.occurredAt, timeZone));
  return (
    <ol ref={ref} aria-label="Activity" aria-busy={busy} tabIndex={-1} className="outline-none">
      {items.map((item, i) => {
        const first = days[i] !== days[i - 1];
        const last = days[i] !== days[i + 1];
        return (
          <li key={item.id} className={cn(first && i > 0 && "mt-6")}>
            {first ? (
              <h2 className="mb-2 px-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
                {dayLabel(days[i]!, now, timeZone)}
              </h2>
            ) : null}
            <div
              className={cn(
                "group border-x border-b border-border transition-colors duration-1000",
                fresh.has(item.id) ? "bg-sky-50" : "bg-card",
                first && "rounded-t-lg border-t",
                last && "rounded-b-lg shadow-xs",
              )}
            >
              <FeedLine item={item} filters={filters} feedPath={feedPath} historyPath={historyPath} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}
