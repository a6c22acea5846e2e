import { sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { pgArray } from "./pg-array";
import { type AnyTrackedTable, formatRecordKey } from "./registry";
import { rowsOf } from "./rows";
import { fitsKeyType } from "./time-travel";
import type { RecordRef } from "./types";

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
