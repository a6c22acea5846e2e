import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { getTableName } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { KIT_TABLES_SQL } from "@/lib/activity/base-sql";
import { checkCoverage } from "@/lib/activity/coverage";
import { planActivityMigration } from "@/lib/activity/migration";
import { activity, trackedTables } from "@/lib/activity-kit";
import { setupTestDb } from "@/test/db";

const t = setupTestDb();

const drizzleFolder = path.resolve(import.meta.dirname, "../drizzle");
/** This app's committed migrations, in order. */
const appMigrations = () =>
  readdirSync(drizzleFolder)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(drizzleFolder, name), "utf8") }));

describe("the app's registrations", () => {
  it("have their capture triggers installed by the committed migrations", async () => {
    expect(await checkCoverage(t.db, trackedTables)).toEqual([]);
  });

  it("do not make the kit's CLI write the base again: this app's drizzle/ folder already holds it", () => {
    const plan = planActivityMigration({
      existing: appMigrations().map(({ name, sql }) => ({ name, sql })),
      tables: trackedTables,
      actors: { tableName: getTableName(activity.actors!.table), idColumn: activity.actors!.id.name },
      schemaTables: new Set(["projects", "tasks", "comments", "users", "activity_events"]),
    });
    expect(plan).toBeNull();
  });
});

describe("the kit's base tables in this app", () => {
  it("are the tables lib/activity/schema.ts gives drizzle-kit (as this app's migrations created them)", async () => {
    // Every migration of this app, whose schema exports the kit's: what drizzle-kit made of schema.ts.
    const generated = appMigrations().flatMap((m) => m.sql.split(/\n?--> statement-breakpoint\n?/));
    const db = new PGlite();
    try {
      // This app's migrations in public (they name it), the kit's base in a schema of its own; then compared.
      for (const statement of generated) await db.exec(statement);
      await db.exec("create schema ours; set search_path to ours");
      for (const statement of KIT_TABLES_SQL) await db.exec(statement);
      const shape = async (schema: string) => ({
        columns: (
          await db.query(
            `select table_name, column_name, data_type, is_nullable, column_default, is_identity
               from information_schema.columns where table_schema = $1 and table_name like 'activity\\_%' order by 1, 2`,
            [schema],
          )
        ).rows,
        indexes: (
          await db.query(
            `select indexname, replace(indexdef, $1 || '.', '') as def from pg_indexes where schemaname = $1 and tablename like 'activity\\_%' order by 1`,
            [schema],
          )
        ).rows,
        constraints: (
          await db.query(
            `select conname, pg_get_constraintdef(c.oid) as def from pg_constraint c
               join pg_namespace n on n.oid = c.connamespace
              where n.nspname = $1 and c.conrelid::regclass::text like '%activity\\_%' order by 1`,
            [schema],
          )
        ).rows,
      });
      const ours = await shape("ours");
      expect(ours.columns.length).toBeGreaterThan(20);
      expect(ours).toEqual(await shape("public"));
    } finally {
      await db.close();
    }
  }, 120_000);
});
