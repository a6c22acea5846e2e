const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * An instant from a URL (`?at=` of a record's history), read the way the APIs read `from` and `to`: an ISO
 * 8601 date or time, a time without a zone in UTC, a real calendar day, years 1 to 9999 (what PostgreSQL and
 * JavaScript both hold). Null when absent, "invalid" for anything else (`0000-01-01`, `99999-01-01`,
 * `+275760-09-13T00:00:00Z`, `2026-02-30`).
 */
export function parseInstant(value: string | undefined): Date | null | "invalid" {
  if (!value) return null;
  const match = ISO_INSTANT.exec(value);
  if (!match) return "invalid";
  const [, year, month, day, time, , , zone] = match;
  if (year === "0000") return "invalid";
  const date = new Date(`${year}-${month}-${day}${time ?? "T00:00:00"}${zone ?? "Z"}`);
  if (Number.isNaN(date.getTime())) return "invalid";
  // JavaScript rolls 2026-02-30 over into March: the day must read back as given, at the given offset.
  const offset =
    zone && zone !== "Z" ? (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4))) : 0;
  const local = new Date(date.getTime() + offset * 60_000);
  if (local.getUTCFullYear() !== Number(year) || local.toISOString().slice(5, 10) !== `${month}-${day}`)
    return "invalid";
  return date;
}
