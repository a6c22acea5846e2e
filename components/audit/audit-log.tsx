"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ClockProvider } from "@/components/activity/clock";
import { LiveStatusNote } from "@/components/activity/live-status";
import { useLiveFeed } from "@/components/activity/use-live-feed";
import { Button } from "@/components/ui/button";
import type { ActivityItem } from "@/lib/activity";
import { actionLabel, actionVerb, changedSummary, reasonOf } from "@/lib/activity-client/describe";
import {
  containsItem,
  type FeedSearchFilters,
  type FeedPage,
  feedQueryOptions,
  flattenPages,
  insertLiveItem,
  refetchFirstPage,
} from "@/lib/activity-client/feed-query";
import { cn } from "@/lib/utils";
import { AuditTime } from "./audit-time";
import { ErasedValue } from "@/components/activity/erased-value";
import { isErased } from "@/lib/activity-client/describe";

const cell = "px-3 py-2 align-top";

/** The record column: the history page of the record, which outlives it. */
function RecordCell({ item, auditPath, className }: { item: ActivityItem; auditPath: string; className?: string }) {
  if (!item.record) return <span className="text-muted-foreground">—</span>;
  const { type, id, exists } = item.record;
  return (
    <Link
      href={`${auditPath}/${type}/${id}`}
      className={cn("font-mono text-xs underline-offset-2 hover:underline", className)}
    >
      {type}:{id}
      {exists ? null : <span className="ml-1 font-sans text-muted-foreground">(deleted)</span>}
    </Link>
  );
}

/** The event's own page: its time, as a link (named for what it opens, to a screen reader). */
function EventLink({ item, auditPath, className }: { item: ActivityItem; auditPath: string; className?: string }) {
  return (
    <Link
      href={`${auditPath}/events/${item.id}`}
      prefetch={false}
      className={cn("underline-offset-2 hover:underline focus-visible:underline", className)}
    >
      <AuditTime iso={item.occurredAt} className="whitespace-normal" />
      <span className="sr-only"> · event {item.id}: details</span>
    </Link>
  );
}

function ActorName({ item }: { item: ActivityItem }) {
  return (
    <>
      {isErased(item, "/actor_label") ? <ErasedValue /> : item.actor.name || "Unattributed"}
      {item.actor.type !== "user" ? (
        <span className="ml-1 text-xs text-muted-foreground">({item.actor.type})</span>
      ) : null}
    </>
  );
}

function UnattributedBadge({ item }: { item: ActivityItem }) {
  return item.unattributed ? (
    <span className="ml-1 inline-block rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-amber-800 ring-1 ring-amber-200 ring-inset">
      Unattributed: outside the app
    </span>
  ) : null;
}

function AuditRow({ item, fresh, auditPath }: { item: ActivityItem; fresh: boolean; auditPath: string }) {
  const reason = reasonOf(item);
  const changed = changedSummary(item);
  return (
    <tr className={cn("transition-colors duration-1000", fresh ? "bg-sky-50" : "bg-card")}>
      <td className={cn(cell, "w-32 text-xs text-muted-foreground")}>
        {/* The date and the time on a line each, so the table fits a laptop's width with every column. */}
        <EventLink item={item} auditPath={auditPath} />
      </td>
      <td className={cell}>
        <ActorName item={item} />
      </td>
      <td className={cell}>
        <span className="whitespace-nowrap">{actionLabel(item.action)}</span>
        <UnattributedBadge item={item} />
      </td>
      <td className={cell}>
        <RecordCell item={item} auditPath={auditPath} />
      </td>
      <td className={cn(cell, "max-w-52 truncate")} title={item.subject}>
        {item.subject}
      </td>
      <td className={cn(cell, "max-w-52 truncate")} title={changed ?? undefined}>
        {changed ?? <span className="text-muted-foreground">—</span>}
      </td>
      <td className={cn(cell, "max-w-40 text-neutral-700")}>
        {reason ?? <span className="text-muted-foreground">—</span>}
      </td>
    </tr>
  );
}

/** One event as a card, for a phone's width: when, who, what happened, what changed, and the event's page. */
function AuditCard({ item, fresh, auditPath }: { item: ActivityItem; fresh: boolean; auditPath: string }) {
  const reason = reasonOf(item);
  const changed = changedSummary(item);
  return (
    <li className={cn("space-y-1 px-4 py-3 text-sm transition-colors duration-1000", fresh ? "bg-sky-50" : "bg-card")}>
      <p className="text-xs text-muted-foreground">
        <AuditTime iso={item.occurredAt} />
      </p>
      <p className="break-words">
        <span className="font-medium">
          <ActorName item={item} />
        </span>{" "}
        <span className="text-neutral-600">{actionVerb(item.action)}</span> {item.subject}
        <UnattributedBadge item={item} />
      </p>
      {changed ? <p className="break-words text-neutral-700">{changed}</p> : null}
      {reason ? (
        <p className="break-words">
          <span className="text-muted-foreground">Why:</span> {reason}
        </p>
      ) : null}
      <p className="flex flex-wrap gap-x-4 gap-y-1">
        <RecordCell item={item} auditPath={auditPath} className="inline-flex min-h-6 items-center" />
        <Link
          href={`${auditPath}/events/${item.id}`}
          prefetch={false}
          className="inline-flex min-h-6 items-center text-xs underline underline-offset-2"
        >
          Event details<span className="sr-only"> · event {item.id}</span>
        </Link>
      </p>
    </li>
  );
}

/**
 * The audit log's table: the server's first page, older pages on "Load more", new events live at the
 * top. Remount it (a `key`) when the filters change.
 */
export function AuditLog({
  filters,
  firstPage,
  now,
  timeZone,
  auditPath = "/audit",
  apiPath = "/api/audit",
  streamPath = "/api/activity/stream",
}: {
  filters: FeedSearchFilters;
  firstPage: FeedPage;
  now: number;
  timeZone: string;
  /** The audit log page; a record's history is `${auditPath}/<type>/<id>`. */
  auditPath?: string;
  /** The audit route the table pages through. */
  apiPath?: string;
  /** The live stream (the feed's). */
  streamPath?: string;
}) {
  const queryClient = useQueryClient();
  const options = feedQueryOptions(filters, firstPage, apiPath);
  const { data, error, isError, fetchNextPage, hasNextPage, isFetchingNextPage } = useInfiniteQuery(options);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(() => new Set());

  // The stream applies the same filters, dates included, as the page.
  const status = useLiveFeed({
    filters,
    streamPath,
    after: () => queryClient.getQueryData(options.queryKey)?.pages[0]?.head ?? firstPage.head,
    onReset: () => refetchFirstPage(queryClient, options.queryKey),
    onItem: (item) => {
      const isNew = !containsItem(queryClient.getQueryData(options.queryKey), item.id);
      queryClient.setQueryData(options.queryKey, (current) => insertLiveItem(current, item));
      if (isNew) setFresh((ids) => new Set([...ids, item.id]));
    },
  });

  const items = flattenPages(data);
  return (
    <ClockProvider now={now} timeZone={timeZone}>
      {items.length === 0 ? (
        <p className="rounded-lg border border-border bg-card px-4 py-10 text-center text-sm text-muted-foreground">
          No events match these filters.
        </p>
      ) : (
        <>
          {/* Below `md` a list of cards: seven columns do not fit a phone without scrolling sideways. */}
          <ul
            aria-label="Audit log"
            aria-busy={isFetchingNextPage}
            className="divide-y divide-border overflow-hidden rounded-lg border border-border shadow-xs md:hidden"
          >
            {items.map((item) => (
              <AuditCard key={item.id} item={item} fresh={fresh.has(item.id)} auditPath={auditPath} />
            ))}
          </ul>
          <div className="hidden overflow-x-auto rounded-lg border border-border shadow-xs md:block">
            <table className="w-full text-sm" aria-label="Audit log" aria-busy={isFetchingNextPage}>
              <thead className="bg-neutral-50 text-left text-xs text-muted-foreground">
                <tr>
                  <th scope="col" className={cn(cell, "font-medium")}>
                    Time
                  </th>
                  <th scope="col" className={cn(cell, "font-medium")}>
                    Actor
                  </th>
                  <th scope="col" className={cn(cell, "font-medium")}>
                    Action
                  </th>
                  <th scope="col" className={cn(cell, "font-medium")}>
                    Record
                  </th>
                  <th scope="col" className={cn(cell, "font-medium")}>
                    Subject
                  </th>
                  <th scope="col" className={cn(cell, "font-medium")}>
                    What changed
                  </th>
                  <th scope="col" className={cn(cell, "font-medium")}>
                    Reason
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {items.map((item) => (
                  <AuditRow key={item.id} item={item} fresh={fresh.has(item.id)} auditPath={auditPath} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <div className="mt-4 flex min-h-9 items-center justify-center gap-3 text-sm text-muted-foreground">
        {isError ? <span className="text-destructive">Could not load events: {error.message}</span> : null}
        {hasNextPage ? (
          <Button
            type="button"
            variant="outline"
            onClick={() => void fetchNextPage({ cancelRefetch: false })}
            disabled={isFetchingNextPage}
          >
            {isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        ) : items.length > 0 ? (
          <p>That’s everything.</p>
        ) : null}
      </div>
      <LiveStatusNote status={status} />
    </ClockProvider>
  );
}
