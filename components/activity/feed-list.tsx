import { type ReactNode, type Ref, useId, useState } from "react";
import type { ActivityItem } from "@/lib/activity";
import { collapseFeed, entryItems, type FeedEntry } from "@/lib/activity-client/collapse";
import type { FeedSearchFilters } from "@/lib/activity-client/feed-query";
import { dayKey, dayLabel } from "@/lib/activity-client/time";
import { cn } from "@/lib/utils";
import { useClock } from "./clock";
import { FeedLine, RunLine } from "./feed-line";

interface LineLinks {
  filters: FeedSearchFilters;
  feedPath?: string;
  historyPath?: string;
}

function Chevron({ open }: { open: boolean }) {
  return (
    <svg
      viewBox="0 0 24 24"
      className={cn("size-3.5 transition-transform", open && "rotate-90")}
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      aria-hidden="true"
    >
      <path d="m9 6 6 6-6 6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/**
 * A line that stands for several events, with a button that shows them under it. The lines are rendered
 * only while open, so a collapsed line's text is what it says; the region the button controls is always there.
 */
function Expandable({
  label,
  open,
  onToggle,
  line,
  items,
  links,
}: {
  /** The button's name, the same open or closed (its state is `aria-expanded`): "9 events". */
  label: string;
  open: boolean;
  onToggle: () => void;
  line: (toggle: ReactNode) => ReactNode;
  items: readonly ActivityItem[];
  links: LineLinks;
}) {
  const id = useId();
  const toggle = (
    <button
      type="button"
      aria-expanded={open}
      aria-controls={id}
      onClick={onToggle}
      className="mt-1 -ml-1 inline-flex min-h-6 items-center gap-1 rounded-md px-1 text-xs font-medium text-neutral-700 hover:bg-muted hover:text-neutral-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-600"
    >
      <Chevron open={open} />
      {label}
    </button>
  );
  return (
    <>
      {line(toggle)}
      <div id={id} hidden={!open}>
        {open ? (
          <ol aria-label={label} className="ml-8 border-t border-border">
            {items.map((item) => (
              <li key={item.id} className="border-b border-border last:border-b-0">
                <FeedLine item={item} {...links} />
              </li>
            ))}
          </ol>
        ) : null}
      </div>
    </>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function EntryView({
  entry,
  open,
  onToggle,
  links,
}: {
  entry: FeedEntry;
  open: boolean;
  onToggle: () => void;
  links: LineLinks;
}) {
  if (entry.kind === "single") {
    if (entry.parts.length === 0) return <FeedLine item={entry.item} {...links} />;
    return (
      <Expandable
        label={`${plural(entry.parts.length, "event")} inside`}
        open={open}
        onToggle={onToggle}
        items={entry.parts}
        links={links}
        line={(toggle) => (
          <FeedLine item={entry.item} {...links}>
            {toggle}
          </FeedLine>
        )}
      />
    );
  }
  const [newest, ...older] = entry.items;
  if (!newest) return null;
  if (entry.kind === "edits") {
    return (
      <Expandable
        label={plural(entry.items.length, "edit")}
        open={open}
        onToggle={onToggle}
        items={entry.items}
        links={links}
        line={(toggle) => (
          <FeedLine item={newest} changes={entry.changes} {...links}>
            {toggle}
          </FeedLine>
        )}
      />
    );
  }
  return (
    <Expandable
      label={plural(entry.items.length, "event")}
      open={open}
      onToggle={onToggle}
      items={entry.items}
      links={links}
      line={(toggle) => (
        <RunLine items={[newest, ...older]} filters={links.filters} feedPath={links.feedPath}>
          {toggle}
        </RunLine>
      )}
    />
  );
}

/**
 * The events as one ordered list, one item per line: a run of repeated events ("Alice Adams created 9
 * tasks") or of one person's edits of one record is one line that expands to its events. A day's first
 * item carries the day's heading, so the list stays flat for assistive technology while it reads as cards
 * per day. Runs never cross days; a run's key stays put as live events join it, so it stays open.
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
  /** Events that just arrived live: their lines briefly highlighted. */
  fresh: ReadonlySet<string>;
  busy: boolean;
  feedPath?: string;
  historyPath?: string;
  ref?: Ref<HTMLOListElement>;
}) {
  const { now, timeZone } = useClock();
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (key: string) =>
    setOpen((keys) => {
      const next = new Set(keys);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const entries = collapseFeed(items, {
    apart: (a, b) => dayKey(a.occurredAt, timeZone) !== dayKey(b.occurredAt, timeZone),
  });
  const days = entries.map((entry) => dayKey(entryItems(entry)[0]!.occurredAt, timeZone));
  const links: LineLinks = { filters, feedPath, historyPath };
  return (
    <ol ref={ref} aria-label="Activity" aria-busy={busy} tabIndex={-1} className="outline-none">
      {entries.map((entry, i) => {
        const first = days[i] !== days[i - 1];
        const last = days[i] !== days[i + 1];
        const events = entryItems(entry);
        return (
          <li
            key={entry.key}
            data-events={events.length}
            data-fresh={events.some((item) => fresh.has(item.id)) || undefined}
            // Focused when the new-events pill shows it, so a keyboard reader goes on from there.
            tabIndex={-1}
            className={cn(
              "rounded-lg outline-none focus-visible:ring-2 focus-visible:ring-neutral-600 focus-visible:ring-offset-2",
              first && i > 0 && "mt-6",
            )}
          >
            {first ? (
              <h2 className="mb-2 px-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
                {dayLabel(days[i]!, now, timeZone)}
              </h2>
            ) : null}
            <div
              className={cn(
                "border-x border-b border-border transition-colors duration-1000",
                events.some((item) => fresh.has(item.id)) ? "bg-sky-50" : "bg-card",
                first && "rounded-t-lg border-t",
                last && "rounded-b-lg shadow-xs",
              )}
            >
              <EntryView entry={entry} open={open.has(entry.key)} onToggle={() => toggle(entry.key)} links={links} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}
