import { sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { fitsKeyType } from "./keys";
import { pgArray } from "./pg-array";
import { type AnyTrackedTable, formatRecordKey } from "./registry";
import { rowsOf } from "./rows";
import type { Json, RecordRef } from "./types";

/** A row as JSON, column names as in the database. */
export type Row = Record<string, Json>;

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

const SAFE_SQL_TYPE = /^[a-z][a-z0-9 ()]*$/;

/**
 * Which of these records still exist, one query per record type through the primary key. History
 * outlives records: a feed line about a deleted one says so instead of linking to a missing page.
 */
export async function existingRecords(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  refs: RecordRef[],
): Promise<Set<string>> {
  const byType = new Map<string, Set<string>>();
  for (const ref of refs) byType.set(ref.type, (byType.get(ref.type) ?? new Set()).add(ref.id));
  const existing = new Set<string>();
  for (const [type, ids] of byType) {
    const table = tables.find((t) => t.type === type);
    if (!table || !SAFE_SQL_TYPE.test(table.primaryKeyType)) continue;
    const valid = [...ids].filter((id) => fitsKeyType(table.primaryKeyType, id));
    if (valid.length === 0) continue;
    const result = await db.execute(
      sql`select ${sql.identifier(table.primaryKey)}::text as id from ${sql.identifier(table.tableName)}
          where ${sql.identifier(table.primaryKey)} = any(${pgArray(valid)}::${sql.raw(table.primaryKeyType)}[])`,
    );
    for (const row of rowsOf<{ id: string }>(result)) existing.add(formatRecordKey({ type, id: row.id }));
  }
  return existing;
}
