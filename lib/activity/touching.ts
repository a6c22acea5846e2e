import { and, eq, or, type SQL, sql } from "drizzle-orm";
import { formatRecordKey } from "./registry";
import { type ActivityEventRow, activityEvents } from "./schema";
import type { RecordRef, RowChange } from "./types";

/**
 * Events touching a record: its own (the index on record type and id), and those that name it in `refs`
 * (related to it, or changed by a cascade: the GIN index). The feed's record filter, a record's history
 * and `asOf` all mean this.
 *
 * `refs <> '{}'` changes no result; it gives the planner the share of events that have refs at all (empty
 * `refs` is the common value in the column's statistics). Without it, when ANALYZE's sample held no event
 * with refs (a few among millions), `@>` is taken to match 0.5% of the table, and a page that reads a handful
 * of rows is planned, and JIT-compiled, as if it read tens of thousands (touching.test.ts).
 */
export function touchingRecord(record: RecordRef): SQL {
  const e = activityEvents;
  const id = String(record.id);
  return or(
    and(eq(e.recordType, record.type), eq(e.recordId, id)),
    and(sql`${e.refs} <> '{}'::text[]`, sql`${e.refs} @> ARRAY[${formatRecordKey({ type: record.type, id })}]::text[]`),
  )!;
}

/** `touchingRecord` for an event in memory (the live stream's filter). */
export function eventTouches(event: Pick<ActivityEventRow, "recordType" | "recordId" | "refs">, record: RecordRef) {
  const id = String(record.id);
  return (
    (event.recordType === record.type && event.recordId === id) ||
    event.refs.includes(formatRecordKey({ type: record.type, id }))
  );
}

/** The changes an event made to one record, in the order they were captured. */
export function changesOf(event: Pick<ActivityEventRow, "changes">, record: RecordRef): RowChange[] {
  return event.changes.filter((c) => c.type === record.type && c.id === String(record.id));
}
