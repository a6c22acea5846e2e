import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { getTableName } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkCoverage } from "@/lib/activity/coverage";
import { planActivityMigration } from "@/lib/activity/migration";
import { kitTablesBeside } from "@/lib/activity/testing/base-tables";
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
    const { ours, theirs } = await kitTablesBeside(generated);
    expect(ours.columns.length).toBeGreaterThan(20);
    expect(ours).toEqual(theirs);
  }, 120_000);
});
