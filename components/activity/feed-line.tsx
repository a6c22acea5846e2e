import Link from "next/link";
import type { ReactNode } from "react";
import type { ActivityItem, ReadableField } from "@/lib/activity";
import {
  actionLabel,
  actionVerb,
  countOf,
  excerptOf,
  isErased,
  ownChanges,
  reasonOf,
  shortValue,
} from "@/lib/activity-client/describe";
import { type FeedSearchFilters, feedHref } from "@/lib/activity-client/feed-query";
import { ActorAvatar } from "./actor-avatar";
import { ErasedValue } from "./erased-value";
import { FilterLink } from "./feed-navigation";
import { RelativeTime } from "./relative-time";

const subtleLink =
  "rounded-sm font-medium text-neutral-900 underline-offset-2 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-600";

function FunnelIcon() {
  return (
    <svg viewBox="0 0 24 24" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M4 5h16l-6 7.5V19l-4-2v-4.5L4 5Z" strokeLinejoin="round" />
    </svg>
  );
}

/** The funnel after a line's sentence: a link narrowing the feed to what the line is about (shown on hover or focus). */
function FunnelLink({ href, label, title }: { href: string; label: string; title: string }) {
  return (
    <FilterLink
      prefetch={false}
      href={href}
      aria-label={label}
      title={title}
      data-print="hide"
      className="inline-flex size-6 translate-y-[3px] items-center justify-center rounded-md align-baseline text-neutral-400 opacity-0 transition-opacity group-hover/line:opacity-100 hover:bg-muted hover:text-neutral-700 focus-visible:opacity-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-600 pointer-coarse:opacity-100"
    >
      <FunnelIcon />
    </FilterLink>
  );
}

function Subject({ item }: { item: ActivityItem }) {
  const { record, subject } = item;
  if (record?.href) {
    return (
      <Link
        href={record.href}
        prefetch={false}
        className={`${subtleLink} underline decoration-neutral-300 hover:decoration-neutral-600`}
      >
        {subject}
      </Link>
    );
  }
  return (
    <>
      <span className="font-medium text-neutral-900">{subject}</span>
      {record && !record.exists ? <span className="text-muted-foreground"> (deleted)</span> : null}
    </>
  );
}

/** Who acted: a link narrowing the feed to them, unless it already is. */
function ActorName({ item, filters, feedPath }: { item: ActivityItem; filters: FeedSearchFilters; feedPath: string }) {
  const { actor } = item;
  const name = actor.name || "Unattributed change";
  if (actor.id && filters.actor !== actor.id) {
    return (
      <FilterLink
        prefetch={false}
        href={feedHref({ ...filters, actor: actor.id }, feedPath)}
        title={`Show only ${name}’s activity`}
        className={subtleLink}
      >
        {name}
      </FilterLink>
    );
  }
  if (isErased(item, "/actor_label")) return <ErasedValue className="font-medium" />;
  return <span className="font-medium text-neutral-900">{name}</span>;
}

/** "Status: To do → Doing · Title: a → b", on one line under the sentence. */
function ChangeList({ changes }: { changes: readonly ReadableField[] }) {
  if (changes.length === 0) return null;
  return (
    <p className="mt-0.5 truncate text-xs text-muted-foreground">
      {changes.map((change, i) => (
        <span key={change.field}>
          {i > 0 ? " · " : null}
          {change.label}: <span className="text-neutral-500 line-through">{shortValue(change.before ?? "none")}</span>
          {" → "}
          <span className="text-neutral-700">{shortValue(change.after ?? "none")}</span>
        </span>
      ))}
    </p>
  );
}

/**
 * One event: who did what to which record, when, and why. The actor's name and the funnel next to the
 * record narrow the feed to them (links, so they work without script and Back undoes them); the record's
 * name opens the record.
 */
export function FeedLine({
  item,
  filters,
  feedPath = "/activity",
  historyPath,
  changes = ownChanges(item),
  children,
}: {
  item: ActivityItem;
  filters: FeedSearchFilters;
  /** The feed page: the actor's name and the funnel link there, filtered. */
  feedPath?: string;
  /** For admins: the audit log page, whose `<type>/<id>` page is a record's history. Without it, no link. */
  historyPath?: string;
  /**
   * The fields listed under the sentence. By default the event's own: any action that edits its record (an
   * update, a revert, a verb such as task.cancelled); several edits merged into this line pass them all.
   */
  changes?: readonly ReadableField[];
  /** Under the line's text: the button that expands what the line stands for. */
  children?: ReactNode;
}) {
  const { actor, record } = item;
  const reason = reasonOf(item);
  const excerpt = excerptOf(item);
  const recordKey = record ? `${record.type}:${record.id}` : null;
  return (
    <div className="group/line flex gap-3 px-4 py-3">
      <ActorAvatar actor={actor} className="mt-0.5" />
      <div className="min-w-0 flex-1">
        <p className="text-sm leading-6 text-neutral-600">
          <ActorName item={item} filters={filters} feedPath={feedPath} />{" "}
          {item.action === "revert" && typeof item.metadata.revertedActor === "string" ? (
            <>
              reverted{" "}
              {historyPath && record ? (
                <Link
                  prefetch={false}
                  href={`${historyPath}/${record.type}/${record.id}#event-${String(item.metadata.revertedEventId)}`}
                  className={subtleLink}
                >
                  {item.metadata.revertedActor}’s change
                </Link>
              ) : (
                `${item.metadata.revertedActor}’s change`
              )}{" "}
              to <Subject item={item} />
            </>
          ) : (
            <>
              {actionVerb(item.action)} <Subject item={item} />
            </>
          )}
          {recordKey && filters.record !== recordKey ? (
            <>
              {" "}
              <FunnelLink
                href={feedHref({ ...filters, record: recordKey }, feedPath)}
                label={`Only ${item.subject}`}
                title={`Show only the activity of ${item.subject}`}
              />
            </>
          ) : null}
          {historyPath && record ? (
            <>
              {" "}
              <Link
                prefetch={false}
                href={`${historyPath}/${record.type}/${record.id}`}
                aria-label={`History of ${item.subject}`}
                data-print="hide"
                title={`The whole history of ${item.subject}`}
                className="ml-1 rounded-sm text-xs text-muted-foreground underline-offset-2 hover:text-neutral-900 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-600"
              >
                History
              </Link>
            </>
          ) : null}
          {item.unattributed ? (
            <>
              {" "}
              <span className="ml-1 rounded-full bg-amber-50 px-2 py-0.5 align-[1px] text-xs font-medium text-amber-800 ring-1 ring-amber-200 ring-inset">
                outside the app
              </span>
            </>
          ) : null}
        </p>
        {item.parent ? (
          // A nested action: the one it ran inside, as its own line would say it.
          <p className="mt-0.5 text-xs text-muted-foreground">
            Part of: {item.parent.actorName} {actionVerb(item.parent.action)}{" "}
            <span className="font-medium text-neutral-700">{item.parent.subject}</span>
          </p>
        ) : null}
        {reason ? (
          <p className="mt-0.5 text-sm text-neutral-700">
            <span className="text-muted-foreground">Reason:</span> {reason}
          </p>
        ) : null}
        {excerpt ? (
          <p className="mt-0.5 line-clamp-2 text-sm text-neutral-700">
            <q>{excerpt}</q>
          </p>
        ) : null}
        <ChangeList changes={changes} />
        {children}
      </div>
      <RelativeTime
        iso={item.occurredAt}
        className="shrink-0 text-xs leading-6 whitespace-nowrap text-muted-foreground"
      />
    </div>
  );
}

/** The names of a run's records, newest first: "Fix login, Write docs, Ship it and 6 more". */
function runPreview(items: readonly ActivityItem[]): string {
  const names = items.map((item) => item.record?.label?.trim() || item.subject);
  const shown = names.slice(0, 3).map(shortValue).join(", ");
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/**
 * A run of events by one person with one action on records of one type, collapsed: "Alice Adams created 9
 * tasks", the records' names under it, the newest event's time. `items` newest first, all of one actor.
 */
export function RunLine({
  items,
  filters,
  feedPath = "/activity",
  children,
}: {
  items: readonly [ActivityItem, ...ActivityItem[]];
  filters: FeedSearchFilters;
  feedPath?: string;
  /** The button that expands the run to its lines. */
  children?: ReactNode;
}) {
  const [newest] = items;
  const { actor, action } = newest;
  // A run is one person's one action on several records: it narrows the feed to both (the feed has no
  // filter by record type, and no one record to name).
  const narrowHref =
    actor.id !== null && (filters.actor !== actor.id || filters.action !== action)
      ? feedHref({ ...filters, actor: actor.id, action }, feedPath)
      : null;
  return (
    <div className="group/line flex gap-3 px-4 py-3">
      <ActorAvatar actor={actor} className="mt-0.5" />
      <div className="min-w-0 flex-1">
        <p className="text-sm leading-6 text-neutral-600">
          <ActorName item={newest} filters={filters} feedPath={feedPath} /> {actionVerb(action)}{" "}
          <span className="font-medium text-neutral-900">{countOf(items.length, newest.record?.type ?? "")}</span>
          {narrowHref ? (
            <>
              {" "}
              <FunnelLink
                href={narrowHref}
                label={`Only what ${actor.name} ${actionVerb(action)}`}
                title={`Show only ${actor.name}’s “${actionLabel(action)}” activity`}
              />
            </>
          ) : null}
        </p>
        <p className="mt-0.5 truncate text-xs text-muted-foreground">{runPreview(items)}</p>
        {children}
      </div>
      <RelativeTime
        iso={newest.occurredAt}
        className="shrink-0 text-xs leading-6 whitespace-nowrap text-muted-foreground"
      />
    </div>
  );
}
