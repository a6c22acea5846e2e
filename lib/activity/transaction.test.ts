import { eq, sql, TransactionRollbackError } from "drizzle-orm";
import { npmVersion as drizzleVersion } from "drizzle-orm/version";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DbHandle, rowsOf } from "@/lib/db/client";
import { tasks } from "@/lib/db/schema";
import { allEvents, testKit } from "@/test/activity";
import { openTestDb, setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import type { Actor } from "./actor";
import {
  PIPELINED_DRIZZLE_RANGE,
  pipelinedRunnerObstacle,
  pipelinedRunnerSupports,
  transactionRunner,
} from "./transaction";

const t = setupTestDb();
const onServer = Boolean(process.env.TEST_DATABASE_URL);

let alice: Actor & { type: "user" };
let workspaceId: number;

beforeEach(async () => {
  const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin"]);
  workspaceId = workspace.id;
  alice = { type: "user", id: members[0]!.id, name: "Alice Adams", workspaceId };
});

const titles = async () => (await t.db.select({ title: tasks.title }).from(tasks)).map((r) => r.title).sort();

describe("the transaction withTracking runs in", () => {
  it("is the pipelined runner on postgres.js (server) and drizzle's own transaction elsewhere (PGlite)", () => {
    expect(transactionRunner(t.db).kind).toBe(t.handle.kind === "postgres" ? "pipelined" : "generic");
  });

  it("gives fn nested transactions: a failed one takes back its own changes only", async () => {
    const kit = testKit(() => t.db);
    await kit.withTracking(alice, "insert", "task Kept", async (tx) => {
      const [kept] = await tx.insert(tasks).values({ workspaceId, title: "Kept" }).returning();
      await tx
        .transaction(async (inner) => {
          await inner.insert(tasks).values({ workspaceId, title: "Taken back" });
          throw new Error("inner failure");
        })
        .catch(() => {});
      await tx.transaction(async (inner) => {
        await inner.insert(tasks).values({ workspaceId, title: "Nested and kept" });
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
    const kit = testKit(() => t.db);
    await kit.withTracking(alice, "insert", "task Built", async (tx) => {
      const [task] = await tx.insert(tasks).values({ workspaceId, title: "Built" }).returning();
      const [read] = await tx.select().from(tasks).where(eq(tasks.id, task!.id));
      expect(read?.title).toBe("Built");
      await tx
        .transaction(async (inner) => {
          await inner.insert(tasks).values({ workspaceId, title: "Rolled back by tx.rollback()" });
          inner.rollback();
        })
        .catch((error: unknown) => expect(error).toBeInstanceOf(TransactionRollbackError));
      return task!;
    });
    expect(await titles()).toEqual(["Built"]);
    await expect(
      kit.withTracking(alice, "insert", "task Never", async (tx) => {
        await tx.insert(tasks).values({ workspaceId, title: "Never" });
        tx.rollback();
      }),
    ).rejects.toThrow(/rollback/i);
    expect(await titles()).toEqual(["Built"]);
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["task Built"]);
  });
});

describe.runIf(onServer)("pipelined runner (server only): one connection", () => {
  let handle: DbHandle;
  afterEach(async () => {
    await handle?.close();
  });

  const insertOn = (kit: ReturnType<typeof testKit>, title: string, fail?: Error) =>
    kit.withTracking(alice, "insert", `task ${title}`, async (tx) => {
      const [task] = await tx.insert(tasks).values({ workspaceId, title }).returning();
      if (fail) throw fail;
      return task!;
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
    handle = await openTestDb({ max: 1 });
    const kit = testKit(() => handle.db);
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
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["task Stored"]);
  });

  it("prepares its statements once per connection, and none with prepare: false (PgBouncer)", async () => {
    const prepared = async () =>
      rowsOf<{ statement: string }>(await handle.db.execute(sql`select statement from pg_prepared_statements`)).map(
        (r) => r.statement,
      );
    handle = await openTestDb({ max: 1 });
    await insertOn(
      testKit(() => handle.db),
      "Prepared",
    );
    await insertOn(
      testKit(() => handle.db),
      "Prepared again",
    );
    const statements = await prepared();
    expect(statements.filter((s) => s.includes("activity_store_event"))).toHaveLength(1);
    expect(statements.filter((s) => s.includes("set_config('activity.mode', 'tracking'"))).toHaveLength(1);
    await handle.close();

    handle = await openTestDb({ max: 1, prepare: false });
    await insertOn(
      testKit(() => handle.db),
      "Unprepared",
    );
    expect(await prepared()).toEqual([]);
    expect(await titles()).toEqual(["Prepared", "Prepared again", "Unprepared"]);
    expect(await allEvents(t.db)).toHaveLength(3);
  });
});
