import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations, MigrationFailure } from "./migrate";
import type { AnyDatabase } from "./database";

const folder = mkdtempSync(path.join(tmpdir(), "activity-migrate-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeFolder(files: Record<string, string>) {
  mkdirSync(path.join(folder, "meta"), { recursive: true });
  const entries = Object.keys(files).map((tag, idx) => ({
    idx,
    version: "7",
    when: 1_000 + idx,
    tag,
    breakpoints: true,
  }));
  writeFileSync(
    path.join(folder, "meta", "_journal.json"),
    JSON.stringify({ version: "7", dialect: "postgresql", entries }),
  );
  for (const [tag, sql] of Object.entries(files)) writeFileSync(path.join(folder, `${tag}.sql`), sql);
}

describe("applyMigrations", () => {
  it("names the failing file, statement and PostgreSQL's reason, and applies none of the run", async () => {
    const client = new PGlite();
    const db = drizzle(client) as unknown as AnyDatabase;
    try {
      writeFolder({
        "0000_notes": `CREATE TABLE "notes" ("id" serial PRIMARY KEY);`,
        "0001_activity_capture": `CREATE TABLE "b" ("id" int);\n--> statement-breakpoint\nCREATE TRIGGER t AFTER INSERT ON "missing" FOR EACH ROW EXECUTE FUNCTION nothing();`,
      });
      const failure = await applyMigrations(db, { migrationsFolder: folder }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(MigrationFailure);
      expect(failure).toMatchObject({
        file: "0001_activity_capture.sql",
        reason: 'relation "missing" does not exist',
        statement: expect.stringContaining('CREATE TRIGGER t AFTER INSERT ON "missing"'),
      });
      expect((failure as Error).message).toMatch(
        /^0001_activity_capture\.sql failed: relation "missing" does not exist/,
      );
      const tables = await client.query(`select to_regclass('notes') as notes, to_regclass('b') as b`);
      expect(tables.rows).toEqual([{ notes: null, b: null }]);

      writeFolder({
        "0000_notes": `CREATE TABLE "notes" ("id" serial PRIMARY KEY);`,
        "0001_activity_capture": `CREATE TABLE "b" ("id" int);`,
      });
      await applyMigrations(db, { migrationsFolder: folder });
      await applyMigrations(db, { migrationsFolder: folder });
      expect((await client.query(`select count(*)::int as n from drizzle.__drizzle_migrations`)).rows).toEqual([
        { n: 2 },
      ]);
    } finally {
      await client.close();
    }
  }, 120_000);
});
