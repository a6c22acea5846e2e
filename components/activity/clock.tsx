"use client";

import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { TIME_ZONE_COOKIE } from "@/lib/activity-client/time";

interface Clock {
  now: number;
  timeZone: string;
  /** False during the server render and hydration: browser-only text (the exact local time) waits for it. */
  mounted: boolean;
}

const ClockContext = createContext<Clock>({ now: 0, timeZone: "UTC", mounted: false });

/**
 * The time the feed's relative times and day headings count from. It starts at the server's `now` and
 * zone, so hydration renders exactly the server's HTML, then switches to the browser's clock and zone and
 * ticks every minute.
 */
export function ClockProvider({ now, timeZone, children }: { now: number; timeZone: string; children: ReactNode }) {
  const [clock, setClock] = useState<Clock>({ now, timeZone, mounted: false });
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    if (zone !== timeZone) {
      // The next server render groups days in the reader's zone from the start. (The Cookie Store API is
      // not in every browser yet.)
      // biome-ignore lint/suspicious/noDocumentCookie: a plain preference cookie, set once
      document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    }
    setClock({ now: Date.now(), timeZone: zone, mounted: true });
    const tick = setInterval(() => setClock((c) => ({ ...c, now: Date.now() })), 60_000);
    return () => clearInterval(tick);
  }, [timeZone]);
  return <ClockContext.Provider value={clock}>{children}</ClockContext.Provider>;
}

export function useClock(): Clock {
  return useContext(ClockContext);
}
