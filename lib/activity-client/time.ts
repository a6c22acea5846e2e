/**
 * Times for the feed. Everything here is a pure function of the event's time, a `now` and a time zone, so
 * the server and the browser render the same text and hydration matches.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "2 days ago"; a date after a month. */
export function relativeTime(iso: string, now: number, timeZone = "UTC"): string {
  const elapsed = now - Date.parse(iso);
  if (elapsed < MINUTE) return "just now";
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`;
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`;
  const days = Math.floor(elapsed / DAY);
  if (days < 30) return `${days} day${days === 1 ? "" : "s"} ago`;
  return new Date(iso).toLocaleDateString("en-US", { timeZone, month: "short", day: "numeric", year: "numeric" });
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of an instant in a time zone, as `YYYY-MM-DD`. */
export function dayKey(instant: string | number, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormats.set(timeZone, format);
  }
  return format.format(new Date(instant));
}

function keyToUtcNoon(key: string): Date {
  const [year, month, day] = key.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day, 12));
}

/** A day group's heading: "Today", "Yesterday", "Monday, March 2", "Friday, December 5, 2025". */
export function dayLabel(key: string, now: number, timeZone: string): string {
  const today = dayKey(now, timeZone);
  if (key === today) return "Today";
  const yesterday = keyToUtcNoon(today);
  yesterday.setUTCDate(yesterday.getUTCDate() - 1);
  if (key === yesterday.toISOString().slice(0, 10)) return "Yesterday";
  const sameYear = key.slice(0, 4) === today.slice(0, 4);
  return keyToUtcNoon(key).toLocaleDateString("en-US", {
    timeZone: "UTC",
    weekday: "long",
    month: "long",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}

const exactFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * "Nov 23, 2026, 00:05:09": an event's exact time in a zone, the same text on the server and in the browser;
 * with `zone`, "Nov 23, 2026, 00:05:09 UTC+1" (the offset, not a name such as "CET": names differ between
 * ICU versions, offsets do not, so hydration matches). The one format for exact times across the app.
 * `hourCycle: "h23"`, not `hour12: false`: with the latter, Node's ICU writes the hour after midnight as 24
 * and Chromium's as 00, and hydration fails.
 */
export function exactTime(iso: string, timeZone: string, { zone = false }: { zone?: boolean } = {}): string {
  const key = `${timeZone} ${zone}`;
  let format = exactFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      ...(zone ? { timeZoneName: "shortOffset" } : {}),
    });
    exactFormats.set(key, format);
  }
  if (!zone) return format.format(new Date(iso));
  // ICUs write UTC itself as "GMT" or "GMT+0": one spelling, "UTC", "UTC+2", "UTC-5", "UTC+5:30".
  return format
    .formatToParts(new Date(iso))
    .map((part) =>
      part.type === "timeZoneName" ? part.value.replace(/^GMT(\+0)?$/, "UTC").replace(/^GMT/, "UTC") : part.value,
    )
    .join("");
}

/** Whether the browser can format in this zone (a cookie can say anything). */
export function isTimeZone(value: string | undefined): value is string {
  if (!value) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The cookie the browser writes its time zone to, so the server groups days as the reader sees them. */
export const TIME_ZONE_COOKIE = "tz";
