"use client";

import { useEffect, useEffectEvent, useState } from "react";
import type { ActivityItem } from "@/lib/activity";
import { type FeedSearchFilters, feedSearch } from "@/lib/activity-client/feed-query";

/** `connecting` until the first open; `reconnecting` after a drop, until the stream is open again. */
/** `ended` when the stream is refused for want of a session (signed out): no retry then. */
export type LiveStatus = "connecting" | "open" | "reconnecting" | "ended";

const MAX_RETRY_MS = 30_000;

/**
 * Follows the live stream (`GET /api/activity/stream` unless `streamPath` says otherwise) for the filters. The browser's EventSource reconnects by itself and
 * sends `Last-Event-ID`, so the server resumes where it stopped. When the browser gives up instead (an
 * HTTP error, or the network was gone), this opens a new stream after `after()`, the last sequence number
 * the caller holds, with a growing delay, and at once when the browser comes back online.
 *
 * On `event: reset` (more was missed than the server replays, or this tab read too slowly) merging is
 * no use: the stream is closed, `onReset` refetches what the caller shows, and a new stream opens after
 * the head of what it refetched.
 */
export function useLiveFeed({
  filters,
  after,
  onItem,
  onReset,
  streamPath = "/api/activity/stream",
}: {
  filters: FeedSearchFilters;
  streamPath?: string;
  after: () => number;
  onItem: (item: ActivityItem) => void;
  onReset: () => Promise<unknown>;
}): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const resumeAfter = useEffectEvent(after);
  const receive = useEffectEvent(onItem);
  const refetch = useEffectEvent(onReset);
  const search = feedSearch(filters).toString();

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let disposed = false;

    const open = () => {
      if (disposed) return;
      clearTimeout(retry);
      source?.close();
      const params = new URLSearchParams(search);
      params.set("after", String(resumeAfter()));
      const stream = new EventSource(`${streamPath}?${params}`);
      source = stream;
      stream.onopen = () => {
        failures = 0;
        setStatus("open");
      };
      stream.addEventListener("activity", (event) => {
        let item: ActivityItem;
        try {
          item = JSON.parse((event as MessageEvent<string>).data) as ActivityItem;
        } catch {
          return;
        }
        receive(item);
      });
      stream.addEventListener("reset", () => {
        if (source !== stream) return;
        stream.close();
        source = null;
        refetch().then(open, () => {
          // The refetch failed (offline, say): try again later, like a stream that failed.
          failures += 1;
          setStatus("reconnecting");
          retry = setTimeout(open, Math.min(MAX_RETRY_MS, 1000 * 2 ** (failures - 1)));
        });
      });
      stream.onerror = () => {
        if (source !== stream) return;
        setStatus("reconnecting");
        if (stream.readyState !== EventSource.CLOSED) return;
        failures += 1;
        const url = stream.url;
        // EventSource does not tell why it gave up: ask once. A 401 (or 403) means the session ended:
        // retrying would say "Reconnecting…" forever.
        const probe = new AbortController();
        fetch(url, { signal: probe.signal, redirect: "manual", headers: { Accept: "text/event-stream" } })
          .then((response) => {
            probe.abort();
            return response.status;
          })
          .catch(() => 0)
          .then((code) => {
            if (disposed || source !== stream) return;
            if (code === 401 || code === 403) {
              source = null;
              setStatus("ended");
              return;
            }
            retry = setTimeout(open, Math.min(MAX_RETRY_MS, 1000 * 2 ** (failures - 1)));
          });
      };
    };
    const online = () => {
      if (source?.readyState !== EventSource.OPEN) open();
    };
    // An open connection can outlive the network for minutes before anything fails (and the browser
    // does not always end it): drop it when the browser says it is offline, resume when it is back.
    const offline = () => {
      clearTimeout(retry);
      source?.close();
      source = null;
      setStatus("reconnecting");
    };

    open();
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      disposed = true;
      clearTimeout(retry);
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
      source?.close();
      source = null;
    };
  }, [search, streamPath]);

  return status;
}
