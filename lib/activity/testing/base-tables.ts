import { PGlite } from "@electric-sql/pglite";
import { kitTableStatements } from "../base-sql";

/** Columns, indexes and constraints of the kit's tables in one schema of a database. */
async function shapeOf(db: PGlite, schema: string) {
  const rows = async (text: string) => (await db.query(text, [schema])).rows;
  return {
    columns: await rows(
      `select table_name, column_name, data_type, is_nullable, column_default, is_identity
         from information_schema.columns where table_schema = $1 and table_name like 'activity\\_%' order by 1, 2`,
    ),
    indexes: await rows(
      `select indexname, replace(indexdef, $1 || '.', '') as def from pg_indexes
        where schemaname = $1 and tablename like 'activity\\_%' order by 1`,
    ),
    constraints: await rows(
      `select conname, pg_get_constraintdef(c.oid) as def from pg_constraint c
         join pg_namespace n on n.oid = c.connamespace
        where n.nspname = $1 and c.conrelid::regclass::text like '%activity\\_%' order by 1`,
    ),
  };
}

/**
 * The kit's tables as its base migration creates them (`ours`) and as the given statements do (`theirs`:
 * a drizzle-kit migration of lib/activity/schema.ts, or a host's migrations), in one fresh PGlite: the
 * statements in `public` (they name it), the base in a schema of its own.
 */
export async function kitTablesBeside(statements: readonly string[]) {
  const db = new PGlite();
  try {
    for (const statement of statements) await db.exec(statement);
    await db.exec("create schema ours; set search_path to ours");
    for (const statement of kitTableStatements()) await db.exec(statement);
    return { ours: await shapeOf(db, "ours"), theirs: await shapeOf(db, "public") };
  } finally {
    await db.close();
  }
}
