import { PGlite } from "@electric-sql/pglite";
import { integer, pgTable, serial, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { KIT_TABLE_UPGRADES_SQL, KIT_TABLES_SQL } from "./base-sql";
import {
  type ExistingMigration,
  KIT_BASE_VERSION,
  MigrationRefusal,
  migrationSql,
  planActivityMigration,
  STATEMENT_BREAKPOINT,
} from "./migration";
import { type AnyTrackedTable, trackTable } from "./registry";
import * as kitSchema from "./schema";
import { kitFunctionStatements } from "./sql";
import { kitTablesBeside } from "./testing/base-tables";

// A host of its own: a `notes` table with a serial key and a `team_id`, and a `files` table keyed by uuid.
const notes = pgTable("notes", {
  id: serial("id").primaryKey(),
  teamId: integer("team_id").notNull(),
  title: text("title").notNull(),
  updatedAt: timestamp("updated_at").defaultNow().notNull(),
});
const files = pgTable("files", { id: uuid("id").primaryKey().defaultRandom(), teamId: text("team_id").notNull() });
const HOST_SQL = `CREATE TABLE "notes" ("id" serial PRIMARY KEY NOT NULL, "team_id" integer NOT NULL, "title" text NOT NULL, "updated_at" timestamp DEFAULT now() NOT NULL);
--> statement-breakpoint
CREATE TABLE "files" ("id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL, "team_id" text NOT NULL);`;
const host: ExistingMigration = { name: "0000_host.sql", sql: HOST_SQL };
const schemaTables = new Set(["notes", "files"]);
const trackNotes = (options: { ignore?: boolean } = {}) =>
  trackTable(notes, {
    type: "note",
    workspace: notes.teamId,
    label: notes.title,
    ...(options.ignore ? { ignore: [notes.updatedAt] } : {}),
  });
const trackFiles = () => trackTable(files, { type: "file", workspace: files.teamId });

/** Plans, then records the plan as the next migration (as the CLI does). */
function step(existing: ExistingMigration[], tables: AnyTrackedTable[]) {
  const plan = planActivityMigration({ existing, tables, schemaTables });
  const next = plan
    ? [...existing, { name: `000${existing.length}_${plan.name}.sql`, sql: migrationSql(plan, "seam.ts") }]
    : existing;
  return { plan, next };
}

async function apply(db: PGlite, migrations: ExistingMigration[]) {
  for (const m of migrations) {
    for (const statement of m.sql.split(STATEMENT_BREAKPOINT)) await db.exec(statement);
  }
}

describe("activity migration planning", () => {
  it("writes the kit's base once, in a host whose migrations lack it, with the triggers; and it runs", async () => {
    const { plan, next } = step([host], [trackNotes()]);
    expect(plan?.name).toBe("activity_base");
    expect(plan?.statements).toEqual(expect.arrayContaining([...KIT_TABLES_SQL, ...kitFunctionStatements()]));
    expect(plan?.summary).toEqual([
      "the kit's tables",
      "the kit's functions",
      "new: capture of notes (insert, update, delete)",
    ]);
    expect(next.at(-1)!.sql.startsWith(`-- activity-kit base version ${KIT_BASE_VERSION}\n`)).toBe(true);

    const db = new PGlite();
    try {
      await apply(db, next);
      await db.exec(`insert into notes (team_id, title) values (7, 'Hello')`);
      const events = await db.query<{ workspace_id: string; record_id: string; unattributed: boolean }>(
        "select workspace_id, record_id, unattributed from activity_events",
      );
      expect(events.rows).toEqual([{ workspace_id: "7", record_id: "1", unattributed: true }]);
    } finally {
      await db.close();
    }
    // Run again on its own output: nothing to do.
    expect(step(next, [trackNotes()]).plan).toBeNull();
  }, 120_000);

  it("a changed registration emits only its triggers; an added one only its own", () => {
    const first = step([host], [trackNotes(), trackFiles()]).next;
    const changed = step(first, [trackNotes({ ignore: true }), trackFiles()]);
    expect(changed.plan?.name).toBe("activity_capture");
    expect(changed.plan?.summary).toEqual(["changed: capture of notes (insert, update, delete)"]);
    expect(changed.plan?.statements.every((s) => s.includes('"notes"'))).toBe(true);
    expect(changed.plan?.statements.join("\n")).toContain(`'{"updated_at"}'`);
    expect(step(changed.next, [trackNotes({ ignore: true }), trackFiles()]).plan).toBeNull();

    const added = step(step([host], [trackNotes()]).next, [trackNotes(), trackFiles()]);
    expect(added.plan?.summary).toEqual(["new: capture of files (insert, update, delete)"]);
  });

  it("a registration removed drops its triggers, once", async () => {
    const first = step([host], [trackNotes(), trackFiles()]).next;
    const removed = step(first, [trackNotes()]);
    expect(removed.plan?.summary).toEqual(["removed: capture of files"]);
    expect(removed.plan?.statements).toEqual([
      'DROP TRIGGER IF EXISTS "activity_capture_insert_files" ON "files"',
      'DROP TRIGGER IF EXISTS "activity_capture_update_files" ON "files"',
      'DROP TRIGGER IF EXISTS "activity_capture_delete_files" ON "files"',
    ]);
    expect(step(removed.next, [trackNotes()]).plan).toBeNull();
  });

  it("brings the kit's functions up to date when they changed since the base", () => {
    const first = step([host], [trackNotes()]).next;
    const older = first.map((m) => ({ ...m, sql: m.sql.replace("PARALLEL SAFE", "") }));
    const plan = step(older, [trackNotes()]).plan;
    expect(plan?.name).toBe("activity_kit_update");
    expect(plan?.statements).toEqual(kitFunctionStatements());
  });

  it("brings the kit's tables up to this kit's in a host whose base predates a change, and the result runs", async () => {
    const first = step([host], [trackNotes()]).next;
    // The base as an older kit wrote it: the tables without the changes made since.
    const older = first.map((m) => ({
      ...m,
      sql: KIT_TABLE_UPGRADES_SQL.reduce(
        (text, upgrade) => text.replace(`${upgrade};${STATEMENT_BREAKPOINT}`, ""),
        m.sql,
      ),
    }));
    expect(older[1]!.sql).not.toContain(KIT_TABLE_UPGRADES_SQL[0]);
    const { plan, next } = step(older, [trackNotes()]);
    expect(plan?.name).toBe("activity_kit_update");
    expect(plan?.statements).toEqual([...KIT_TABLE_UPGRADES_SQL]);
    expect(step(next, [trackNotes()]).plan).toBeNull();
    const db = new PGlite();
    try {
      await apply(db, older);
      // A log of the older base: a number whose time was never filled in, and one whose event is gone.
      await db.exec(`insert into activity_events (workspace_id, occurred_at, actor_type, actor_label, action, subject)
                     values ('7', '2026-01-02T03:04:05.678Z', 'system', 'System', 'note.closed', 'old')`);
      await db.exec(`insert into activity_sequence (workspace_id, seq, event_id) values ('7', 1, 1), ('7', 2, 99)`);
      // Two more, numbered after: one whose time lies 2 s behind the first's, one after it.
      await db.exec(`insert into activity_sequence (workspace_id, seq, event_id, occurred_at)
                     values ('7', 3, 100, '2026-01-02T03:04:03.678Z'), ('7', 4, 101, '2026-01-02T03:04:06.678Z')`);
      await db.exec(`insert into activity_heads (workspace_id, seq) values ('7', 4)`);
      await apply(db, next.slice(older.length));
      const columns = await db.query(
        "select column_name from information_schema.columns where table_name = 'activity_events' and column_name = 'erased'",
      );
      expect(columns.rows).toHaveLength(1);
      // The record index, made without the workspace by the older base, now leads with it.
      const record = await db.query<{ def: string }>(
        "select pg_get_indexdef('activity_events_record_idx'::regclass) as def",
      );
      expect(record.rows[0]!.def).toContain("(workspace_id, record_type, record_id, occurred_at, id)");
      // The refs index, of every event in the older base, now holds only the events with refs.
      const refs = await db.query<{ def: string }>(
        "select pg_get_indexdef('activity_events_refs_idx'::regclass) as def",
      );
      expect(refs.rows[0]!.def).toContain("USING gin (refs) WHERE (refs <> '{}'::text[])");
      // The sequence's event key, made on event_id alone by the older base, now leads with the workspace,
      // and its time is never null: the event's, or '-infinity' where the event is gone.
      const key = await db.query<{ def: string }>(
        "select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'activity_sequence_event_key'",
      );
      expect(key.rows).toEqual([{ def: "UNIQUE (workspace_id, event_id)" }]);
      const checkpointsKey = await db.query<{ def: string }>(
        "select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'activity_checkpoints'::regclass and contype = 'p'",
      );
      expect(checkpointsKey.rows).toEqual([{ def: "PRIMARY KEY (workspace_id, id)" }]);
      const time = await db.query<{ notnull: boolean }>(
        "select attnotnull as notnull from pg_attribute where attrelid = 'activity_sequence'::regclass and attname = 'occurred_at'",
      );
      expect(time.rows).toEqual([{ notnull: true }]);
      const times = await db.query<{ seq: number; at: string }>(
        "select seq::int, occurred_at::text as at from activity_sequence order by seq",
      );
      expect(times.rows).toEqual([
        { seq: 1, at: "2026-01-02 03:04:05.678+00" },
        { seq: 2, at: "-infinity" },
        { seq: 3, at: "2026-01-02 03:04:03.678+00" },
        { seq: 4, at: "2026-01-02 03:04:06.678+00" },
      ]);
      // Each entry's lag behind the latest time numbered up to it (none where the time is unknown), and the
      // head's latest time: what a page of a date range finds its place in the sequence by (feed.ts).
      const lags = await db.query<{ seq: number; lag: string | null }>(
        "select seq::int, lag_ms::text as lag from activity_sequence order by seq",
      );
      expect(lags.rows.map((r) => r.lag)).toEqual(["0", null, "2000", "0"]);
      const head = await db.query<{ at: string }>("select latest_at::text as at from activity_heads");
      expect(head.rows).toEqual([{ at: "2026-01-02 03:04:06.678+00" }]);
      const late = await db.query<{ def: string }>(
        "select pg_get_indexdef('activity_sequence_late_idx'::regclass) as def",
      );
      expect(late.rows[0]!.def).toContain(
        "(workspace_id, occurred_at, seq) WHERE ((lag_ms IS NULL) OR (lag_ms > 10000))",
      );
      await expect(
        db.exec(`insert into activity_sequence (workspace_id, seq, event_id, occurred_at) values ('8', 1, 1, now())`),
      ).resolves.toBeDefined();
    } finally {
      await db.close();
    }
  }, 60_000);

  it("counts a drizzle-kit migration of a table change as the kit's own", () => {
    const first = step([host], [trackNotes()]).next;
    const drizzleKitWrote = first.map((m) => ({ ...m, sql: m.sql.replaceAll(" IF NOT EXISTS", "") }));
    expect(step(drizzleKitWrote, [trackNotes()]).plan).toBeNull();
  });

  it("refuses clearly when a tracked table is not in the schema, or no migration creates it", () => {
    expect(() =>
      planActivityMigration({ existing: [host], tables: [trackNotes()], schemaTables: new Set(["files"]) }),
    ).toThrow(
      new MigrationRefusal(
        '"notes" is tracked in the seam but is not a table of the drizzle schema: add it to the schema, or remove its trackTable.',
      ),
    );
    expect(() => planActivityMigration({ existing: [], tables: [trackNotes()], schemaTables })).toThrow(
      /No migration creates "notes" yet: run `drizzle-kit generate` first/,
    );
  });

  it("refuses when the schema exports the kit's tables but no migration creates them yet", () => {
    expect(() =>
      planActivityMigration({
        existing: [host],
        tables: [trackNotes()],
        schemaTables: new Set([...schemaTables, "activity_events"]),
      }),
    ).toThrow(/exports the kit's tables, but no migration creates them/);
  });

  it("refuses migrations written by a newer kit", () => {
    const newer = { name: "0001_activity_base.sql", sql: `-- activity-kit base version ${KIT_BASE_VERSION + 1}\n` };
    expect(() => planActivityMigration({ existing: [host, newer], tables: [trackNotes()], schemaTables })).toThrow(
      MigrationRefusal,
    );
  });
});

describe("the kit's base tables", () => {
  it("are the tables lib/activity/schema.ts gives drizzle-kit (as a host's generated migration creates them)", async () => {
    // What drizzle-kit makes of schema.ts in a host whose schema exports the kit's.
    const { generateDrizzleJson, generateMigration } = await import("drizzle-kit/api");
    const generated = await generateMigration(generateDrizzleJson({}), generateDrizzleJson(kitSchema));
    // drizzle-kit knows no partitioning: the host's next `activity migration` brings the tables up to the
    // kit's (KIT_TABLE_UPGRADES_SQL), the events table's monthly partitions among them.
    const { ours, theirs } = await kitTablesBeside([...generated, ...KIT_TABLE_UPGRADES_SQL]);
    expect(ours.columns.length).toBeGreaterThan(20);
    expect(ours).toEqual(theirs);
  }, 120_000);
});
