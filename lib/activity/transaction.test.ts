import { eq, sql, TransactionRollbackError } from "drizzle-orm";
import { npmVersion as drizzleVersion } from "drizzle-orm/version";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DbHandle, openTestDb, setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { rowsOf } from "./rows";
import { allEvents } from "./testing/events";
import { members, notes } from "./testing/schema";
import { fixtureKit } from "./testing/tables";
import {
  PIPELINED_DRIZZLE_RANGE,
  pipelinedRunnerObstacle,
  pipelinedRunnerSupports,
  transactionRunner,
} from "./transaction";

const t = setupTestDb({ database: "kit" });
const onServer = Boolean(process.env.TEST_DATABASE_URL);

let alice: Actor & { type: "user" };
const workspaceId = 7;

beforeEach(async () => {
  const [member] = await t.db.insert(members).values({ name: "Alice Adams" }).returning();
  alice = { type: "user", id: member!.id, name: "Alice Adams", workspaceId };
});

const titles = async () => (await t.db.select({ title: notes.title }).from(notes)).map((r) => r.title).sort();

describe("the transaction withTracking runs in", () => {
  it("is the pipelined runner on postgres.js (server) and drizzle's own transaction elsewhere (PGlite)", () => {
    expect(transactionRunner(t.db).kind).toBe(t.handle.kind === "postgres" ? "pipelined" : "generic");
  });

  it("gives fn nested transactions: a failed one takes back its own changes only", async () => {
    const kit = fixtureKit(() => t.db);
    await kit.withTracking(alice, "insert", "note Kept", async (tx) => {
      const [kept] = await tx.insert(notes).values({ teamId: workspaceId, title: "Kept" }).returning();
      await tx
        .transaction(async (inner) => {
          await inner.insert(notes).values({ teamId: workspaceId, title: "Taken back" });
          throw new Error("inner failure");
        })
        .catch(() => {});
      await tx.transaction(async (inner) => {
        await inner.insert(notes).values({ teamId: workspaceId, title: "Nested and kept" });
      });
      return kept!;
    });
    expect(await titles()).toEqual(["Kept", "Nested and kept"]);
    const [event, ...rest] = await allEvents(t.db);
    expect(rest).toEqual([]);
    expect(event!.changes.map((c) => (c.op === "insert" ? c.row.title : c.op))).toEqual(["Kept", "Nested and kept"]);
  });
});

describe("the drizzle-orm versions the pipelined runner supports", () => {
  it("are the pinned range, and the installed drizzle-orm is in it", () => {
    expect(pipelinedRunnerSupports(PIPELINED_DRIZZLE_RANGE.from)).toBe(true);
    expect(pipelinedRunnerSupports("0.45.99")).toBe(true);
    expect(pipelinedRunnerSupports(PIPELINED_DRIZZLE_RANGE.below)).toBe(false);
    expect(pipelinedRunnerSupports("0.45.3")).toBe(false);
    // A new drizzle-orm fails here until the pipelined runner's tests pass on it and the range is widened.
    expect(pipelinedRunnerSupports(drizzleVersion)).toBe(true);
  });
});

describe.runIf(onServer)("pipelined runner (server only): drizzle's private fields it builds on", () => {
  it("finds every one of them, so withTracking does not fall back to db.transaction", () => {
    expect(pipelinedRunnerObstacle(t.db)).toBeNull();
    expect(transactionRunner(t.db).kind).toBe("pipelined");
  });

  it("hands fn a working drizzle transaction: query builder, savepoints, tx.rollback()", async () => {
    const kit = fixtureKit(() => t.db);
    await kit.withTracking(alice, "insert", "note Built", async (tx) => {
      const [note] = await tx.insert(notes).values({ teamId: workspaceId, title: "Built" }).returning();
      const [read] = await tx.select().from(notes).where(eq(notes.id, note!.id));
      expect(read?.title).toBe("Built");
      await tx
        .transaction(async (inner) => {
          await inner.insert(notes).values({ teamId: workspaceId, title: "Rolled back by tx.rollback()" });
          inner.rollback();
        })
        .catch((error: unknown) => expect(error).toBeInstanceOf(TransactionRollbackError));
      return note!;
    });
    expect(await titles()).toEqual(["Built"]);
    await expect(
      kit.withTracking(alice, "insert", "note Never", async (tx) => {
        await tx.insert(notes).values({ teamId: workspaceId, title: "Never" });
        tx.rollback();
      }),
    ).rejects.toThrow(/rollback/i);
    expect(await titles()).toEqual(["Built"]);
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["note Built"]);
  });
});

describe.runIf(onServer)("pipelined runner (server only): one connection", () => {
  let handle: DbHandle;
  afterEach(async () => {
    await handle?.close();
  });

  const insertOn = (kit: ReturnType<typeof fixtureKit>, title: string, fail?: Error) =>
    kit.withTracking(alice, "insert", `note ${title}`, async (tx) => {
      const [note] = await tx.insert(notes).values({ teamId: workspaceId, title }).returning();
      if (fail) throw fail;
      return note!;
    });

  /** The connection's state as the next user of the pool finds it. */
  const connectionState = async () => {
    const [row] = rowsOf<{ tx: string | null; mode: string | null }>(
      await handle.db.execute(
        sql`select txid_current_if_assigned()::text as tx, current_setting('activity.mode', true) as mode`,
      ),
    );
    return row;
  };

  it("hands the connection back clean after fn throws and after the event store fails", async () => {
    handle = await openTestDb({ database: "kit", max: 1 });
    const kit = fixtureKit(() => handle.db);
    await expect(insertOn(kit, "Thrown", new Error("fn failed"))).rejects.toThrow("fn failed");
    expect(await connectionState()).toEqual({ tx: null, mode: "" });

    await t.db.execute(sql`
      CREATE OR REPLACE FUNCTION test_fail_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'event store unavailable'; END $$`);
    await t.db.execute(
      sql`CREATE TRIGGER test_fail_event BEFORE INSERT ON activity_events FOR EACH ROW EXECUTE FUNCTION test_fail_event()`,
    );
    try {
      // The COMMIT travels with the failing statement: PostgreSQL ends the aborted transaction without
      // committing, and the error is reported.
      await expect(insertOn(kit, "Never stored")).rejects.toThrow("event store unavailable");
    } finally {
      await t.db.execute(sql`DROP TRIGGER test_fail_event ON activity_events`);
    }
    expect(await connectionState()).toEqual({ tx: null, mode: "" });

    await insertOn(kit, "Stored");
    expect(await titles()).toEqual(["Stored"]);
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["note Stored"]);
  });

  const prepared = async () =>
    rowsOf<{ statement: string }>(await handle.db.execute(sql`select statement from pg_prepared_statements`)).map(
      (r) => r.statement,
    );

  // Behind a transaction pooler each transaction may land on another server session, where nothing this
  // client prepared exists: there the harness connects unprepared, and only the second test applies.
  it.skipIf(Boolean(process.env.TEST_DATABASE_DIRECT_URL))("prepares its statements once per connection", async () => {
    handle = await openTestDb({ database: "kit", max: 1, prepare: true });
    await insertOn(
      fixtureKit(() => handle.db),
      "Prepared",
    );
    await insertOn(
      fixtureKit(() => handle.db),
      "Prepared again",
    );
    const statements = await prepared();
    expect(statements.filter((s) => s.includes("activity_store_event"))).toHaveLength(1);
    expect(statements.filter((s) => s.includes("set_config('activity.mode', 'tracking'"))).toHaveLength(1);
    expect(await titles()).toEqual(["Prepared", "Prepared again"]);
  });

  it("prepares none with prepare: false (PgBouncer)", async () => {
    handle = await openTestDb({ database: "kit", max: 1, prepare: false });
    await insertOn(
      fixtureKit(() => handle.db),
      "Unprepared",
    );
    await insertOn(
      fixtureKit(() => handle.db),
      "Unprepared again",
    );
    expect(await prepared()).toEqual([]);
    expect(await titles()).toEqual(["Unprepared", "Unprepared again"]);
    expect(await allEvents(t.db)).toHaveLength(2);
  });
});
