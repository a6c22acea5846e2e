import { describe, expect, it } from "vitest";
import { dayKey, dayLabel, exactTime, isTimeZone, relativeTime } from "./time";

const now = Date.parse("2026-11-23T12:00:00Z");

describe("relative time", () => {
  it("counts minutes, hours and days", () => {
    const ago = (ms: number) => relativeTime(new Date(now - ms).toISOString(), now);
    expect(ago(20_000)).toBe("just now");
    expect(ago(-5_000)).toBe("just now");
    expect(ago(5 * 60_000)).toBe("5 min ago");
    expect(ago(3 * 3600_000 + 59 * 60_000)).toBe("3 h ago");
    expect(ago(26 * 3600_000)).toBe("1 day ago");
    expect(ago(2 * 86400_000)).toBe("2 days ago");
    expect(ago(60 * 86400_000)).toBe("Sep 24, 2026");
  });
});

describe("day groups", () => {
  it("take the reader's zone", () => {
    expect(dayKey("2026-11-23T02:00:00Z", "UTC")).toBe("2026-11-23");
    expect(dayKey("2026-11-23T02:00:00Z", "America/New_York")).toBe("2026-11-22");
  });

  it("say Today, Yesterday, then the date", () => {
    expect(dayLabel("2026-11-23", now, "UTC")).toBe("Today");
    expect(dayLabel("2026-11-22", now, "UTC")).toBe("Yesterday");
    // 02:00 on the 24th in Kiribati (UTC+14): the 23rd is yesterday there.
    expect(dayLabel("2026-11-23", now, "Pacific/Kiritimati")).toBe("Yesterday");
    expect(dayLabel("2026-11-22", now, "Pacific/Kiritimati")).toBe("Sunday, November 22");
    expect(dayLabel("2026-11-18", now, "UTC")).toBe("Wednesday, November 18");
    expect(dayLabel("2025-12-31", now, "UTC")).toBe("Wednesday, December 31, 2025");
  });

  it("knows a zone from a made-up cookie", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone(undefined)).toBe(false);
  });
});

describe("exact time", () => {
  it("writes the hour after midnight as 00, as browsers do", () => {
    expect(exactTime("2026-12-02T00:30:05Z", "UTC")).toBe("Dec 2, 2026, 00:30:05");
    expect(exactTime("2026-12-02T23:59:59Z", "UTC")).toBe("Dec 2, 2026, 23:59:59");
    expect(exactTime("2026-12-02T05:30:00Z", "America/New_York")).toBe("Dec 2, 2026, 00:30:00");
  });

  it("names the zone by its offset when asked: the same text in every ICU", () => {
    expect(exactTime("2026-12-02T05:30:00Z", "America/New_York", { zone: true })).toBe("Dec 2, 2026, 00:30:00 UTC-5");
    expect(exactTime("2026-07-02T05:30:00Z", "Europe/Berlin", { zone: true })).toBe("Jul 2, 2026, 07:30:00 UTC+2");
    expect(exactTime("2026-12-02T05:30:00Z", "Asia/Kolkata", { zone: true })).toBe("Dec 2, 2026, 11:00:00 UTC+5:30");
    expect(exactTime("2026-12-02T05:30:00Z", "UTC", { zone: true })).toBe("Dec 2, 2026, 05:30:00 UTC");
    expect(exactTime("2026-12-02T05:30:00Z", "UTC")).toBe("Dec 2, 2026, 05:30:00");
  });
});
