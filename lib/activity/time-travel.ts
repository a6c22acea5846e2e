import { and, desc, eq, gt, lte, sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import type { AnyTrackedTable } from "./registry";
import { rowsOf } from "./rows";
import { type ActivityEventRow, activityEvents } from "./schema";
import { touchingRecord } from "./touching";
import type { Json, RecordRef, RowChange } from "./types";
import { rowInWorkspace } from "./workspace";

export type Row = Record<string, Json>;

/** A record's state at an instant. */
export type RecordState =
  | { status: "exists"; row: Row }
  | { status: "deleted"; deletedAt: Date }
  | { status: "not_yet" };

export function registrationOf(tables: readonly AnyTrackedTable[], type: string): AnyTrackedTable {
  const table = tables.find((t) => t.type === type);
  if (!table) throw new ActivityError("invalid_record", `"${type}" is not a tracked record type.`);
  return table;
}

// BigInt(...) rather than literals: a host's tsconfig may target ES2017 (create-next-app's does).
const INTEGER_LIMITS: Record<string, bigint> = {
  smallint: BigInt(32_767),
  integer: BigInt(2_147_483_647),
  bigint: BigInt("9223372036854775807"),
};

/**
 * Whether `id` is a key of the primary key's SQL type as PostgreSQL writes it, which is how events record
 * it: integers in range and in canonical form (not `007`), uuids well formed and in lower case, text of a
 * bounded type no longer than the bound. Anything else names no record, even where a cast would accept it
 * (`'007'::integer` is 7, `'CODE0001x'::varchar(8)` is `CODE0001`): the row found would not be the one
 * the events name.
 */
export function fitsKeyType(sqlType: string, id: string): boolean {
  const limit = INTEGER_LIMITS[sqlType];
  if (limit !== undefined) {
    return /^(0|-?[1-9]\d{0,18})$/.test(id) && BigInt(id) <= limit && BigInt(id) >= -limit - BigInt(1);
  }
  if (sqlType === "uuid") return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
  const bounded = /^(?:varchar|char|character varying|character)\((\d+)\)$/.exec(sqlType);
  if (bounded) return [...id].length <= Number(bounded[1]);
  return true;
}

/** The record's current row as JSON (column names as in the database), or null. */
export async function currentRow(
  db: AnyDatabase,
  table: AnyTrackedTable,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row | null> {
  // An id that cannot be of the key's type names no row (rather than an error from the cast).
  if (!fitsKeyType(table.primaryKeyType, id)) return null;
  const result = await db.execute(sql`
    select to_jsonb(t) as row from ${sql.identifier(table.tableName)} as t
     where ${sql.identifier(table.primaryKey)} = ${id}::${sql.raw(table.primaryKeyType)}
     ${options.lock ? sql`for update` : sql``}`);
  return rowsOf<{ row: Row }>(result)[0]?.row ?? null;
}

/** The changes an event made to one record, in the order they were captured. */
export function changesOf(event: Pick<ActivityEventRow, "changes">, record: RecordRef): RowChange[] {
  return event.changes.filter((c) => c.type === record.type && c.id === String(record.id));
}

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
