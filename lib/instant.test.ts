import { describe, expect, it } from "vitest";
import { parseInstant } from "./instant";

describe("parseInstant", () => {
  it("reads dates and times, a time without a zone as UTC", () => {
    expect(parseInstant("2026-11-23")).toEqual(new Date("2026-11-23T00:00:00Z"));
    expect(parseInstant("2026-11-23T14:05")).toEqual(new Date("2026-11-23T14:05:00Z"));
    expect(parseInstant("2026-11-23T14:05:09.123Z")).toEqual(new Date("2026-11-23T14:05:09.123Z"));
    expect(parseInstant("2026-11-23T01:00:00+02:00")).toEqual(new Date("2026-11-22T23:00:00Z"));
    expect(parseInstant("0001-01-01")).toEqual(new Date("0001-01-01T00:00:00Z"));
    expect(parseInstant("9999-12-31T23:59:59Z")).toEqual(new Date("9999-12-31T23:59:59Z"));
    expect(parseInstant(undefined)).toBeNull();
    expect(parseInstant("")).toBeNull();
  });

  it.each([
    "0000-01-01",
    "99999-01-01",
    "+275760-09-13T00:00:00Z",
    "-000001-01-01",
    "2026-02-30",
    "2026-13-01",
    "2026-11-23T25:00",
    "yesterday",
    "1700000000000",
    "2026-11-23 14:05",
  ])("refuses %j", (value) => {
    expect(parseInstant(value)).toBe("invalid");
  });
});
