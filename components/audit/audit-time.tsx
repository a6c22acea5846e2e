"use client";

import { useClock } from "@/components/activity/clock";
import { exactTime } from "@/lib/activity-client/time";
import { cn } from "@/lib/utils";

/**
 * The exact time of an event, in the reader's zone and naming it ("Dec 2, 2026, 00:30:05 UTC+1"): the
 * server's guess (a cookie) first, so hydration matches, then the browser's. An audit wants the instant, not "5 min ago".
 */
export function AuditTime({ iso, className }: { iso: string; className?: string }) {
  const { timeZone } = useClock();
  return (
    <time dateTime={iso} className={cn("whitespace-nowrap tabular-nums", className)}>
      {exactTime(iso, timeZone, { zone: true })}
    </time>
  );
}
