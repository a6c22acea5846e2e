"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ClockProvider } from "@/components/activity/clock";
import { LiveStatusNote } from "@/components/activity/live-status";
import { useLiveFeed } from "@/components/activity/use-live-feed";
import { Button } from "@/components/ui/button";
import type { ActivityItem } from "@/lib/activity";
import { actionLabel, changedSummary, reasonOf } from "@/lib/activity-client/describe";
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
function RecordCell({ item, auditPath }: { item: ActivityItem; auditPath: string }) {
  if (!item.record) return <span className="text-muted-foreground">—</span>;
  const { type, id, exists } = item.record;
  return (
    <Link href={`${auditPath}/${type}/${id}`} className="font-mono text-xs underline-offset-2 hover:underline">
      {type}:{id}
      {exists ? null : <span className="ml-1 font-sans text-muted-foreground">(deleted)</span>}
    </Link>
  );
}

function AuditRow({ item, fresh, auditPath }: { item: ActivityItem; fresh: boolean; auditPath: string }) {
  const reason = reasonOf(item);
  const changed = changedSummary(item);
  return (
    <tr className={cn("transition-colors duration-1000", fresh ? "bg-sky-50" : "bg-card")}>
      <td className={cn(cell, "w-32 text-xs text-muted-foreground")}>
        {/* The date and the time on a line each, so the table fits a laptop's width with every column. */}
        <AuditTime iso={item.occurredAt} className="whitespace-normal" />
      </td>
      <td className={cell}>
        {isErased(item, "/actor_label") ? <ErasedValue /> : item.actor.name || "Unattributed"}
        {item.actor.type !== "user" ? (
          <span className="ml-1 text-xs text-muted-foreground">({item.actor.type})</span>
        ) : null}
      </td>
      <td className={cell}>
        <span className="whitespace-nowrap">{actionLabel(item.action)}</span>
        {item.unattributed ? (
          <span className="ml-1 inline-block rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-amber-800 ring-1 ring-amber-200 ring-inset">
            Unattributed: outside the app
          </span>
        ) : null}
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
        <div className="overflow-x-auto rounded-lg border border-border shadow-xs">
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
