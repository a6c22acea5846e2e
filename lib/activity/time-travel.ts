import { and, desc, eq, gt, lte } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { currentRow, type Row } from "./records";
import { type AnyTrackedTable, registrationOf } from "./registry";
import { activityEvents } from "./schema";
import { changesOf, touchingRecord } from "./touching";
import type { RecordRef } from "./types";
import { rowInWorkspace } from "./workspace";

/** A record's state at an instant. */
export type RecordState =
  | { status: "exists"; row: Row }
  | { status: "deleted"; deletedAt: Date }
  | { status: "not_yet" };

/**
 * The record as it was at `at` (events at that very instant included). It walks back from the present:
 * from the current row, it undoes every change made after `at`, newest first — an update's fields get
 * their values from before, an insert means the record did not exist yet, a delete brings back the row
 * as it was deleted. So it needs no history from before `at`, only after it. Columns a registration
 * ignores (such as `updated_at`) keep their current values; redacted ones read "[redacted]".
 */
export async function asOf(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  record: RecordRef,
  at: Date,
  workspaceId: string,
): Promise<RecordState> {
  const table = registrationOf(tables, record.type);
  const scoped = and(eq(activityEvents.workspaceId, workspaceId), touchingRecord(record));
  const later = await db
    .select()
    .from(activityEvents)
    .where(and(scoped, gt(activityEvents.occurredAt, at)))
    .orderBy(desc(activityEvents.occurredAt), desc(activityEvents.id));
  let state = await currentRow(db, table, String(record.id));
  // The row of that id in another workspace is not this workspace's record.
  if (state && !rowInWorkspace(table, state, workspaceId)) state = null;
  // Newest first, and within an event its changes in reverse.
  for (const event of later) {
    for (const change of changesOf(event, record).reverse()) {
      if (change.op === "insert") state = null;
      else if (change.op === "delete") state = { ...change.row };
      else if (change.op === "update" && state)
        for (const [field, [before]] of Object.entries(change.changes)) state[field] = before;
    }
  }
  if (state) return { status: "exists", row: state };
  const [last] = await db
    .select()
    .from(activityEvents)
    .where(and(scoped, lte(activityEvents.occurredAt, at)))
    .orderBy(desc(activityEvents.occurredAt), desc(activityEvents.id))
    .limit(1);
  const lastChange = last ? changesOf(last, record).at(-1) : undefined;
  return lastChange?.op === "delete" ? { status: "deleted", deletedAt: last!.occurredAt } : { status: "not_yet" };
}
