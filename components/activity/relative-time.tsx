"use client";

import { relativeTime } from "@/lib/activity-client/time";
import { useClock } from "./clock";

const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

/** "5 min ago", with the exact local time on hover (set after mount: the server knows neither locale nor zone). */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const { now, timeZone, mounted } = useClock();
  return (
    <time dateTime={iso} title={mounted ? exact.format(new Date(iso)) : undefined} className={className}>
      {relativeTime(iso, now, timeZone)}
    </time>
  );
}
