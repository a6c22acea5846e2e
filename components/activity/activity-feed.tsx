"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import type { ActivityItem } from "@/lib/activity";
import {
  containsItem,
  type FeedPage,
  type FeedSearchFilters,
  feedQueryOptions,
  flattenPages,
  hasFilters,
  insertLiveItem,
  refetchFirstPage,
} from "@/lib/activity-client/feed-query";
import { ClockProvider } from "./clock";
import { FeedList } from "./feed-list";
import { SkeletonLines } from "./feed-skeleton";
import { EmptyFeed, type EmptyFeedText, FeedError } from "./feed-states";
import { LiveStatusNote } from "./live-status";
import { NewEventsPill } from "./new-events-pill";
import { useLiveFeed } from "./use-live-feed";

const FRESH_MS = 4_000;

function union<T>(a: ReadonlySet<T>, b: Iterable<T>): Set<T> {
  const set = new Set(a);
  for (const value of b) set.add(value);
  return set;
}

/**
 * The feed below the filters: the server's first page, older pages on scroll (or "Load more"), and new
 * events live at the top. Remount it (a `key`) when the filters change.
 */
export function ActivityFeed({
  filters,
  firstPage,
  now,
  timeZone,
  feedPath = "/activity",
  apiPath = "/api/activity",
  historyPath,
  empty,
}: {
  filters: FeedSearchFilters;
  firstPage: FeedPage;
  /** The server's clock and the reader's zone (from a cookie), so hydration renders the server's text. */
  now: number;
  timeZone: string;
  /** The feed page, which its filter links open. */
  feedPath?: string;
  /** The feed route; its live stream is `${apiPath}/stream`. */
  apiPath?: string;
  /** For admins: the audit log page, so each line links its record's history (`<path>/<type>/<id>`). */
  historyPath?: string;
  /** What the feed says while there is nothing in it. */
  empty?: EmptyFeedText;
}) {
  const queryClient = useQueryClient();
  const options = feedQueryOptions(filters, firstPage, apiPath);
  const {
    data,
    error,
    isError,
    isRefetching,
    refetch,
    fetchNextPage,
    hasNextPage,
    isFetchingNextPage,
    isFetchNextPageError,
  } = useInfiniteQuery(options);

  const list = useRef<HTMLOListElement>(null);
  /** Arrived while the reader was further down: held back, counted on the pill. */
  const [waiting, setWaiting] = useState<ReadonlySet<string>>(() => new Set());
  const [fresh, setFresh] = useState<ReadonlySet<string>>(() => new Set());

  const scrolledDown = useCallback(() => (list.current?.getBoundingClientRect().top ?? 0) < 0, []);

  // Only pointer scrolling loads by itself: a keyboard reader tabbing down would otherwise never reach
  // the end (each Tab to the last line loads another page). They get "Load more".
  const keyboard = useRef(false);
  /** The pill, the lines and Load more: while a keyboard reader's focus is in here, nothing moves. */
  const feed = useRef<HTMLDivElement>(null);
  const keyboardInside = useCallback(
    () => keyboard.current && (feed.current?.contains(document.activeElement) ?? false),
    [],
  );
  // A keyboard reader's lines stay put, and the pill stays reachable by Shift+Tab (moving the focus up the
  // list scrolls its top into view): new events wait until they press the pill or leave the feed.
  const holding = useCallback(() => scrolledDown() || keyboardInside(), [scrolledDown, keyboardInside]);
  /** After the pill: the first line of what it showed takes the focus once rendered. */
  const focusFresh = useRef(false);

  const status = useLiveFeed({
    filters,
    streamPath: `${apiPath}/stream`,
    after: () => queryClient.getQueryData(options.queryKey)?.pages[0]?.head ?? firstPage.head,
    onReset: () => refetchFirstPage(queryClient, options.queryKey),
    onItem: (item: ActivityItem) => {
      const isNew = !containsItem(queryClient.getQueryData(options.queryKey), item.id);
      queryClient.setQueryData(options.queryKey, (current) => insertLiveItem(current, item));
      if (!isNew) return;
      if (holding()) setWaiting((ids) => union(ids, [item.id]));
      else setFresh((ids) => union(ids, [item.id]));
    },
  });

  const reveal = useCallback(
    (scroll: boolean) => {
      if (waiting.size === 0) return;
      setFresh((ids) => union(ids, waiting));
      setWaiting(new Set());
      if (scroll) {
        const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        window.scrollTo({ top: 0, behavior: smooth ? "smooth" : "auto" });
        // The pill goes away with this render: the list holds the focus until the new lines are there.
        list.current?.focus({ preventScroll: true });
        focusFresh.current = true;
      }
    },
    [waiting],
  );

  // The focus left the feed (not for another of its lines): at the top, what waited comes in.
  useEffect(() => {
    const target = feed.current;
    if (!target || waiting.size === 0) return;
    const onFocusOut = (event: FocusEvent) => {
      if (event.relatedTarget instanceof Node && target.contains(event.relatedTarget)) return;
      if (!scrolledDown()) reveal(false);
    };
    target.addEventListener("focusout", onFocusOut);
    return () => target.removeEventListener("focusout", onFocusOut);
  }, [waiting, reveal, scrolledDown]);

  useEffect(() => {
    if (!focusFresh.current || fresh.size === 0) return;
    focusFresh.current = false;
    const line = list.current?.querySelector<HTMLElement>(":scope > li[data-fresh]");
    line?.focus({ preventScroll: true });
  }, [fresh]);

  // Back at the top by themselves: show what was waiting, no click needed.
  useEffect(() => {
    if (waiting.size === 0) return;
    const onScroll = () => {
      if (!holding()) reveal(false);
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, [waiting, reveal, holding]);

  useEffect(() => {
    if (fresh.size === 0) return;
    const fade = setTimeout(() => setFresh(new Set()), FRESH_MS);
    return () => clearTimeout(fade);
  }, [fresh]);

  // Infinite scroll: the sentinel under the list fetches the next page as it comes near. The observer is
  // renewed after every page (isFetchingNextPage flips), and its first report says whether the sentinel
  // is still in reach.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Tab") keyboard.current = true;
    };
    const onPointer = () => {
      keyboard.current = false;
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("wheel", onPointer, { passive: true });
    window.addEventListener("touchstart", onPointer, { passive: true });
    window.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("wheel", onPointer);
      window.removeEventListener("touchstart", onPointer);
      window.removeEventListener("pointerdown", onPointer);
    };
  }, []);
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasNextPage || isFetchingNextPage || isFetchNextPageError) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (keyboard.current) return;
        if (entries.some((entry) => entry.isIntersecting)) void fetchNextPage({ cancelRefetch: false });
      },
      { rootMargin: "0px 0px 400px 0px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage]);

  const items = flattenPages(data).filter((item) => !waiting.has(item.id));
  const errorMessage = error?.message ?? "Something went wrong.";

  let body: ReactNode;
  if (items.length === 0 && waiting.size === 0) {
    body =
      isError && !isFetchNextPageError ? (
        <FeedError message={errorMessage} onRetry={() => void refetch()} />
      ) : (
        <EmptyFeed filtered={hasFilters(filters)} feedPath={feedPath} empty={empty} />
      );
  } else {
    body = (
      <>
        {isError && !isFetchNextPageError ? (
          <div className="mb-4 flex items-center justify-between gap-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            <span>Could not refresh the feed: {errorMessage}</span>
            <Button type="button" variant="outline" size="sm" onClick={() => void refetch()} disabled={isRefetching}>
              Retry
            </Button>
          </div>
        ) : null}
        <FeedList
          ref={list}
          items={items}
          filters={filters}
          fresh={fresh}
          busy={isFetchingNextPage}
          feedPath={feedPath}
          historyPath={historyPath}
        />
        <div ref={sentinel} aria-hidden="true" />
        {isFetchingNextPage ? <SkeletonLines count={3} className="mt-3" /> : null}
        <div data-print="hide" className="mt-6 flex min-h-9 items-center justify-center text-sm text-muted-foreground">
          {isFetchNextPageError ? (
            <div className="flex items-center gap-3">
              <span className="text-destructive">Could not load older events: {errorMessage}</span>
              <Button
                type="button"
                variant="outline"
                size="sm"
                onClick={() => void fetchNextPage({ cancelRefetch: false })}
              >
                Retry
              </Button>
            </div>
          ) : hasNextPage ? (
            <Button
              type="button"
              variant="outline"
              onClick={() => void fetchNextPage({ cancelRefetch: false })}
              disabled={isFetchingNextPage}
              className="min-w-32"
            >
              Load more
            </Button>
          ) : (
            <p>That’s everything: you’ve reached the beginning of the history.</p>
          )}
        </div>
      </>
    );
  }

  return (
    <ClockProvider now={now} timeZone={timeZone}>
      <div ref={feed}>
        {/* Before the list in the document, so Tab reaches it before the lines. */}
        <NewEventsPill count={waiting.size} onReveal={() => reveal(true)} />
        {body}
      </div>
      <LiveStatusNote status={status} />
    </ClockProvider>
  );
}
