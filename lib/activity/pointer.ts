/**
 * Where erasure's marks point, shared by the kit and its browser code (no Node imports here): an event's
 * `erased` lists RFC 6901 pointers into its columns, and the UI shows `ERASED` in the value's place.
 */

/** What stands where erasure removed a person's data. */
export const ERASED = "erased";

/** `/a/b~1c` for the segments `a`, `b/c` (RFC 6901). */
export function jsonPointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}
