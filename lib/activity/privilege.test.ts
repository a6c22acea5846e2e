import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { setupTestDb } from "@/test/db";
import { workerDatabaseUrl } from "@/test/worker-databases";
import type { Actor } from "./actor";
import { activityGrantStatements } from "./grants";
import type { AnyDatabase } from "./database";
import { createActivityKit } from "./index";
import { trackTable } from "./registry";
import { activityRemovals } from "./schema";
import { sequenceOnce } from "./sequencer";
import { allEvents } from "./testing/events";
import { members, notes } from "./testing/schema";
import { fixtureCatalogue, fixtureTables } from "./testing/tables";

const onServer = Boolean(process.env.TEST_DATABASE_URL);
const t = setupTestDb({ database: "kit" });

// PGlite has one user, the owner of everything: there the guard is the hash chain (capture.test.ts checks
// the trigger with SET ROLE); a role that logs in on its own needs a server.
describe.runIf(onServer)("append-only by privilege (server only: the app connects as a login role of its own)", () => {
  const poolId = Number(process.env.VITEST_POOL_ID ?? 1);
  const role = `activity_test_app_w${poolId}`;
  let client: postgres.Sql | undefined;
  let app: { db: AnyDatabase };
  const tables = [
    trackTable(notes, { type: "note", workspace: notes.teamId, label: notes.title, personal: [notes.title] }),
    ...fixtureTables.filter((table) => table.type !== "note"),
  ];
  const kitAs = (db: () => AnyDatabase) =>
    createActivityKit({
      db,
      catalogue: fixtureCatalogue,
      tables,
      secret: "fixture-secret-of-some-length",
      retention: { "note.closed": "1 day" },
    });

  const grant = async (statements: string[]) => {
    for (const statement of statements) await t.db.execute(sql.raw(statement));
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => "done",
      (e: unknown) => String((e as Error).cause ?? e),
    );

  beforeAll(async () => {
    await grant([
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN; END IF; END $$`,
      // The host's own grants for its tables, as blanket as they come: the kit's block narrows its own tables.
      `GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`,
      `GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
      ...activityGrantStatements(role),
    ]);
    // As its own login role, on the server itself (a pooler in front may connect every client as one user).
    const target = inject("kitTestDatabase") as { url: string; directUrl?: string };
    const url = new URL(workerDatabaseUrl(target.directUrl ?? target.url, poolId));
    url.username = role;
    client = postgres(url.toString(), { max: 4, onnotice: () => {} });
    app = { db: drizzle(client) as unknown as AnyDatabase };
    const [who] = (await app.db.execute<{ user: string }>(sql`select current_user as user`)) as unknown as {
      user: string;
    }[];
    expect(who?.user).toBe(role);
  });
  afterAll(async () => {
    await client?.end();
  });

  it("refuses the app's role a direct UPDATE, DELETE or TRUNCATE of the kit's logs: permission denied", async () => {
    await t.db.insert(notes).values({ teamId: 7, title: "x" });
    await sequenceOnce(t.db);
    for (const statement of [
      "UPDATE activity_events SET subject = 'forged'",
      "DELETE FROM activity_events",
      "TRUNCATE activity_events",
      "UPDATE activity_sequence SET seq = seq + 1",
      "DELETE FROM activity_sequence",
      "TRUNCATE activity_sequence",
      "DELETE FROM activity_removals",
      "DELETE FROM activity_heads",
      "UPDATE activity_events SET erased = '{}'::jsonb",
      // A partition is reached through activity_events only: the blanket grant on it is undone too.
      "DELETE FROM activity_events_default",
      "TRUNCATE activity_events_default",
      "SELECT * FROM activity_events_default",
    ]) {
      expect(await failure(app.db.execute(sql.raw(statement)))).toMatch(/permission denied for table activity_/);
    }
    // Nor may it reset the log: that is for a demo's grants only (--allow-reset).
    expect(await failure(app.db.execute(sql`select activity_reset(null)`))).toMatch(
      /permission denied for function activity_reset/,
    );
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["note x"]);
    // It may keep the months ahead made (the sequencer's elected process does), never drop one.
    expect(await failure(app.db.execute(sql`select activity_partitions_ensure(3)`))).toBe("done");
    expect(await failure(app.db.execute(sql`DROP TABLE activity_events_default`))).toMatch(/must be owner/);
  });

  it("refuses it even when it is granted UPDATE, DELETE and TRUNCATE by mistake: the guard is not a setting", async () => {
    await t.db.insert(notes).values({ teamId: 7, title: "x" });
    await grant([`GRANT UPDATE, DELETE, TRUNCATE ON activity_events TO ${role}`]);
    try {
      for (const statement of [
        "UPDATE activity_events SET subject = 'forged'",
        "DELETE FROM activity_events",
        "TRUNCATE activity_events",
      ]) {
        const attempt = app.db.transaction(async (tx) => {
          await tx.execute(sql`select set_config('activity.maintenance', 'on', true)`);
          await tx.execute(sql.raw(statement));
        });
        expect(await failure(attempt)).toMatch(/activity_events is append-only/);
      }
    } finally {
      await grant(activityGrantStatements(role));
    }
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["note x"]);
  });

  it("lets it track, sequence, read the feed, apply retention, erase, and delete a user, through the owner's routines", async () => {
    const kit = kitAs(() => app.db);
    const [member] = await app.db.insert(members).values({ name: "Alice Adams" }).returning();
    const alice: Actor = { type: "user", id: member!.id, name: "Alice Adams", workspaceId: 7 };
    const note = await kit.withTracking(alice, "insert", "note", async (tx) => {
      const [row] = await tx.insert(notes).values({ teamId: 7, title: "Alice's diary" }).returning();
      // A nested action reserves its parent's id from the events' identity sequence.
      await kit.withTracking(alice, "update", "nested", (inner) =>
        inner.update(notes).set({ status: "draft" }).where(eq(notes.id, row!.id)),
      );
      return row!;
    });
    await kit.withTracking(alice, "note.closed", "closed long ago", (tx) => tx.execute(sql`select 1`), {
      metadata: { reason: "done" },
      occurredAt: new Date(Date.now() - 3 * 24 * 3600_000),
    });
    expect(await sequenceOnce(app.db)).toEqual({ "7": 3 });
    const page = await kit.feed(7, new URLSearchParams());
    expect(page.items.map((i) => i.subject)).toEqual(["closed long ago", "nested", "note"]);

    expect((await kit.applyRetention({ dryRun: true })).map((o) => o.removed)).toEqual([1]);
    expect((await kit.applyRetention()).map((o) => o.removed)).toEqual([1]);
    expect((await kit.eraseRecord("note", note.id)).events).toBe(2);
    expect((await kit.eraseActor(alice.id)).events).toBe(2);
    await app.db.delete(members).where(eq(members.id, member!.id));

    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, e.actorId])).toEqual([
      ["erased", "erased", null],
      // Its subject is the note's own event's: erased with the title, which a subject may name.
      ["erased", "erased", null],
    ]);
    const removals = await app.db
      .select({ reason: activityRemovals.reason })
      .from(activityRemovals)
      .orderBy(asc(activityRemovals.id));
    expect(removals.map((r) => r.reason)).toEqual(["retention", "erasure", "erasure", "erasure", "erasure"]);
  });
});
