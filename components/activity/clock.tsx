"use client";

import { createContext, type ReactNode, useContext, useEffect, useMemo, useSyncExternalStore } from "react";
import { TIME_ZONE_COOKIE } from "@/lib/activity-client/time";

interface Clock {
  now: number;
  timeZone: string;
  /** False during the server render and hydration: browser-only text (the exact local time) waits for it. */
  mounted: boolean;
}

const ClockContext = createContext<Clock>({ now: 0, timeZone: "UTC", mounted: false });

const MINUTE_MS = 60_000;

// The browser's clock as an external store: read when a provider subscribes, then once a minute.
let browserNow = 0;
function subscribeToClock(onChange: () => void): () => void {
  browserNow = Date.now();
  onChange();
  const tick = setInterval(() => {
    browserNow = Date.now();
    onChange();
  }, MINUTE_MS);
  return () => clearInterval(tick);
}
const readBrowserNow = () => browserNow || null;
const noBrowserYet = () => null;

const neverChanges = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/**
 * The time the feed's relative times and day headings count from. It starts at the server's `now` and
 * zone, so hydration renders exactly the server's HTML, then switches to the browser's clock and zone and
 * ticks every minute.
 */
export function ClockProvider({ now, timeZone, children }: { now: number; timeZone: string; children: ReactNode }) {
  const browserTime = useSyncExternalStore(subscribeToClock, readBrowserNow, noBrowserYet);
  const zone = useSyncExternalStore(neverChanges, browserZone, noBrowserYet);

  useEffect(() => {
    if (zone === null || zone === timeZone) return;
    // The next server render groups days in the reader's zone from the start. (The Cookie Store API is not
    // in every browser yet.)
    // biome-ignore lint/suspicious/noDocumentCookie: a plain preference cookie, set once
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
  }, [zone, timeZone]);

  const mounted = browserTime !== null && zone !== null;
  const clock = useMemo<Clock>(
    () => (mounted ? { now: browserTime, timeZone: zone, mounted } : { now, timeZone, mounted }),
    [mounted, browserTime, zone, now, timeZone],
  );
  return <ClockContext.Provider value={clock}>{children}</ClockContext.Provider>;
}

export function useClock(): Clock {
  return useContext(ClockContext);
}
