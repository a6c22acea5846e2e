"use client";

import { exactTime, relativeTime } from "@/lib/activity-client/time";
import { useClock } from "./clock";

/**
 * "5 min ago", with the exact time in the reader's zone on hover (set after mount, when the zone is the
 * browser's), and after it on paper, where "5 min ago" would soon be wrong (app/globals.css).
 */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const { now, timeZone, mounted } = useClock();
  return (
    <time
      dateTime={iso}
      data-print="exact"
      title={mounted ? exactTime(iso, timeZone, { zone: true }) : undefined}
      className={className}
    >
      {relativeTime(iso, now, timeZone)}
    </time>
  );
}
