"use client";

import { useClock } from "@/components/activity/clock";

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hour12: false,
    });
    formats.set(timeZone, format);
  }
  return format;
}

/**
 * The exact time of an event, in the reader's zone: the server's guess (a cookie) first, so hydration
 * matches, then the browser's. An audit wants the instant, not "5 min ago".
 */
export function AuditTime({ iso, className }: { iso: string; className?: string }) {
  const { timeZone } = useClock();
  return (
    <time dateTime={iso} className={className}>
      {formatIn(timeZone).format(new Date(iso))}
    </time>
  );
}
