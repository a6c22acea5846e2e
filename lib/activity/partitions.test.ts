import { and, desc, eq, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it, vi } from "vitest";
import { setupTestDb } from "@/test/db";
import { planNodes } from "@/test/plans";
import { KIT_TABLE_UPGRADES_SQL, KIT_TABLES_SQL, PARTITION_MONTHS_AHEAD } from "./base-sql";
import type { AnyDatabase } from "./database";
import { eventsByKeyQuery, NOT_NUMBERED, readEventsByKey } from "./event-rows";
import { sequencedEventQuery } from "./feed";
import { activityGrantStatements } from "./grants";
import { applyRetention } from "./retention";
import { rowsOf } from "./rows";
import { activityEvents, activityRemovals, activitySeals, activitySequence } from "./schema";
import { ensurePartitions, sequenceOnce, startSequencer } from "./sequencer";
import { kitFunctionStatements } from "./sql";
import { allEvents } from "./testing/events";
import { verifyChain } from "./verify";

const t = setupTestDb({ database: "kit" });

const query = async <T>(statement: ReturnType<typeof sql>, db: AnyDatabase = t.db) =>
  rowsOf<T>(await db.execute(statement));

/** `activity_events_pYYYYMM` of the month `offset` months from this one (UTC). */
function monthName(offset: number, from = new Date()): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + offset, 1));
  return `activity_events_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The events table's partitions, by name, with their bounds. */
const partitions = (db: AnyDatabase = t.db) =>
  query<{ name: string; bound: string }>(
    sql`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'activity_events'::regclass order by c.relname`,
    db,
  );

/** The kit's triggers on one partition. */
const triggersOn = async (table: string, db: AnyDatabase = t.db) =>
  (
    await query<{ name: string }>(
      sql`select tgname as name from pg_trigger where not tgisinternal and tgrelid = ${table}::regclass order by 1`,
      db,
    )
  ).map((r) => r.name);

/** The indexes of one partition, as attached to the parent's (partitioned) indexes. */
const parentIndexesOf = async (table: string, db: AnyDatabase = t.db) =>
  (
    await query<{ name: string }>(
      sql`
      select p.relname as name from pg_index x
        join pg_inherits i on i.inhrelid = x.indexrelid join pg_class p on p.oid = i.inhparent
       where x.indrelid = ${table}::regclass order by 1`,
      db,
    )
  ).map((r) => r.name);

const PARENT_INDEXES = [
  "activity_events_actor_idx",
  "activity_events_feed_idx",
  "activity_events_id_idx",
  "activity_events_pkey",
  "activity_events_record_idx",
  "activity_events_refs_idx",
  "activity_events_tx_idx",
];

const insertAt = (
  occurredAt: string,
  subject: string,
  db: AnyDatabase = t.db,
  workspace = "7",
  action = "note.closed",
) =>
  db.execute(sql`
    insert into activity_events (workspace_id, occurred_at, actor_type, actor_label, action, subject)
    values (${workspace}, ${occurredAt}::timestamptz, 'system', 'System', ${action}, ${subject})`);

const whereIs = async () =>
  query<{ subject: string; part: string }>(
    sql`select subject, tableoid::regclass::text as part from activity_events order by id`,
  );

describe("monthly partitions of the events table", () => {
  it("a fresh install partitions it by month: this month and the next ones, a default partition, the key (workspace_id, occurred_at, id)", async () => {
    const [kind] = await query<{ kind: string; key: string }>(sql`
      select c.relkind as kind, pg_get_partkeydef(c.oid) as key from pg_class c where c.oid = 'activity_events'::regclass`);
    expect(kind).toEqual({ kind: "p", key: "RANGE (occurred_at)" });
    const names = (await partitions()).map((p) => p.name);
    const ahead = Array.from({ length: PARTITION_MONTHS_AHEAD + 1 }, (_, i) => monthName(i));
    expect(names).toEqual(expect.arrayContaining([...ahead, "activity_events_default"]));
    const thisMonth = (await partitions()).find((p) => p.name === monthName(0))!;
    const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    expect(new Date(/FROM \('([^']+)'\)/.exec(thisMonth.bound)![1]!).getTime()).toBe(start.getTime());

    const [pkey] = await query<{ def: string }>(sql`
      select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'activity_events'::regclass and contype = 'p'`);
    expect(pkey!.def).toBe("PRIMARY KEY (workspace_id, occurred_at, id)");
    // Every partition has the parent's indexes and both guard triggers.
    for (const name of [monthName(0), monthName(PARTITION_MONTHS_AHEAD), "activity_events_default"]) {
      expect(await parentIndexesOf(name)).toEqual(PARENT_INDEXES);
      expect(await triggersOn(name)).toEqual(["activity_events_append_only", "activity_events_no_truncate"]);
    }
    // Ids still come from the identity sequence, unique across partitions.
    await insertAt(new Date().toISOString(), "now");
    await insertAt("2001-02-03T00:00:00Z", "long ago");
    expect((await allEvents(t.db)).map((e) => e.id)).toEqual([1, 2]);
  });

  it("an event dated beyond the partitions lands in the default one; activity_partitions_ensure moves it into its month", async () => {
    await insertAt("2031-05-03T10:00:00Z", "far ahead");
    await insertAt("2031-05-31T23:59:59.999Z", "end of that month");
    await insertAt("2031-06-01T00:00:00Z", "the month after");
    await insertAt(new Date().toISOString(), "now");
    const before = await allEvents(t.db);
    expect(await whereIs()).toEqual([
      { subject: "far ahead", part: "activity_events_default" },
      { subject: "end of that month", part: "activity_events_default" },
      { subject: "the month after", part: "activity_events_default" },
      { subject: "now", part: monthName(0) },
    ]);

    const [made] = await query<{ made: number }>(
      sql`select activity_partitions_ensure(${PARTITION_MONTHS_AHEAD}) as made`,
    );
    expect(Number(made!.made)).toBe(2);
    expect(await whereIs()).toEqual([
      { subject: "far ahead", part: "activity_events_p203105" },
      { subject: "end of that month", part: "activity_events_p203105" },
      { subject: "the month after", part: "activity_events_p203106" },
      { subject: "now", part: monthName(0) },
    ]);
    // The rows moved whole: same ids, same values.
    expect(await allEvents(t.db)).toEqual(before);
    // The new months are partitions like the others, guard included.
    for (const name of ["activity_events_p203105", "activity_events_p203106"]) {
      expect(await parentIndexesOf(name)).toEqual(PARENT_INDEXES);
      expect(await triggersOn(name)).toEqual(["activity_events_append_only", "activity_events_no_truncate"]);
    }
    const bounds = (await partitions()).find((p) => p.name === "activity_events_p203105")!.bound;
    expect(bounds).toMatch(/FROM \('2031-05-01 00:00:00(\+00)?'\) TO \('2031-06-01 00:00:00(\+00)?'\)/);
    // Nothing left to do: a second call makes nothing, and new events of those months go straight there.
    const [again] = await query<{ made: number }>(
      sql`select activity_partitions_ensure(${PARTITION_MONTHS_AHEAD}) as made`,
    );
    expect(Number(again!.made)).toBe(0);
    await insertAt("2031-05-04T00:00:00Z", "later");
    expect((await whereIs()).at(-1)).toEqual({ subject: "later", part: "activity_events_p203105" });
  });

  it("a feed page finds each event in its month's partition alone, not by probing every month's", async () => {
    await insertAt("2031-05-03T10:00:00Z", "in May");
    await insertAt("2031-06-01T00:00:00Z", "in June");
    await insertAt(new Date().toISOString(), "now");
    await query(sql`select activity_partitions_ensure(${PARTITION_MONTHS_AHEAD})`);
    await sequenceOnce(t.db);

    /** The partitions the page query of the newest `limit` entries read, with what it returned. */
    const readBy = async (limit: number) => {
      const { event, fields } = sequencedEventQuery(t.db);
      const page = t.db
        .select(fields)
        .from(activitySequence)
        .crossJoinLateral(event)
        .where(eq(activitySequence.workspaceId, "7"))
        .orderBy(desc(activitySequence.seq))
        .limit(limit);
      const read = new Set<string>();
      for (const node of await planNodes(t.db, page, "analyze")) {
        const name = node["Relation Name"];
        if (name?.startsWith("activity_events") && (node["Actual Loops"] ?? 0) > 0) read.add(name);
      }
      return { read: [...read].sort(), subjects: (await page).map((e) => e.subject) };
    };
    expect(await readBy(1)).toEqual({ read: [monthName(0)], subjects: ["now"] });
    expect(await readBy(2)).toEqual({
      read: ["activity_events_p203106", monthName(0)].sort(),
      subjects: ["now", "in June"],
    });
  });

  it("sealing and verify read an event by its key in its month's partition alone, not by its id in every month's", async () => {
    await insertAt("2031-05-03T10:00:00Z", "in May");
    await insertAt("2031-06-01T00:00:00Z", "in June");
    await insertAt("2031-06-02T00:00:00Z", "in June, elsewhere", t.db, "8");
    await insertAt(new Date().toISOString(), "now");
    await query(sql`select activity_partitions_ensure(${PARTITION_MONTHS_AHEAD})`);
    await sequenceOnce(t.db);
    const entries = await t.db.select().from(activitySequence).orderBy(activitySequence.eventId);
    const keys = entries
      .slice(0, 2)
      .map((s) => ({ workspaceId: s.workspaceId, id: s.eventId, occurredAt: s.occurredAt }));

    const read = new Set<string>();
    for (const node of await planNodes(t.db, eventsByKeyQuery(t.db, keys, true), "analyze")) {
      const name = node["Relation Name"];
      if (name?.startsWith("activity_events") && (node["Actual Loops"] ?? 0) > 0) read.add(name);
    }
    expect([...read].sort()).toEqual(["activity_events_p203105", "activity_events_p203106"]);
    const events = await readEventsByKey(t.db, [
      ...keys,
      // Another workspace's event under this one's key is not this workspace's.
      { workspaceId: "7", id: entries[2]!.eventId, occurredAt: entries[2]!.occurredAt },
      // A key without a time (a seal's) is still found, by workspace and id.
      { workspaceId: "7", id: entries[3]!.eventId },
    ]);
    expect([...events.values()].map((e) => e.subject).sort()).toEqual(["in June", "in May", "now"]);
  });

  it("the sequencer's and verify's check for an event without a number looks it up by workspace and event id", async () => {
    await insertAt(new Date().toISOString(), "numbered");
    await sequenceOnce(t.db);
    await insertAt(new Date().toISOString(), "not yet");
    // As the sequencer asks it, across workspaces (verify's adds one workspace, which the key leads with).
    const unnumbered = sql`select e.id from activity_events as e where ${NOT_NUMBERED}`;
    const conditions = await t.db.transaction(async (tx) => {
      // A few rows would be read whole; the question is which key each event's number is looked for by.
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local enable_hashjoin = off`);
      await tx.execute(sql`set local enable_mergejoin = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
      return (await planNodes(tx, { toSQL: () => new PgDialect().sqlToQuery(unnumbered) }, "costs off"))
        .filter((node) => node["Relation Name"] === "activity_sequence")
        .map((node) => [node["Index Name"], node["Index Cond"]]);
    });
    expect(conditions).toEqual([
      ["activity_sequence_event_key", "((workspace_id = e.workspace_id) AND (event_id = e.id))"],
    ]);
    expect((await query<{ id: number }>(unnumbered)).map((r) => Number(r.id))).toEqual([2]);
  });

  it("a record's own events are found by the record index, which leads with the workspace", async () => {
    for (const [workspace, id] of [
      ["7", "1"],
      ["7", "2"],
      ["8", "1"],
    ]) {
      await t.db.execute(sql`
        insert into activity_events (workspace_id, actor_type, actor_label, action, subject, record_type, record_id)
        values (${workspace}, 'system', 'System', 'note.closed', ${`${workspace}/${id}`}, 'note', ${id})`);
    }
    const history = t.db
      .select({ subject: activityEvents.subject })
      .from(activityEvents)
      .where(
        and(
          eq(activityEvents.workspaceId, "7"),
          eq(activityEvents.recordType, "note"),
          eq(activityEvents.recordId, "1"),
        ),
      );
    const conditions = await t.db.transaction(async (tx) => {
      // A few rows would be read whole; the question is which index the record's own events (touchingRecord's
      // first branch; refs is the GIN's) can be found by, and whether it narrows to the workspace.
      await tx.execute(sql`set local enable_seqscan = off`);
      return (await planNodes(tx, history, "costs on"))
        .map((node) => node["Index Cond"])
        .filter((condition): condition is string => !!condition?.includes("record_type"));
    });
    expect(conditions.length).toBeGreaterThan(0);
    for (const condition of conditions) expect(condition).toContain("workspace_id");
    expect((await history).map((e) => e.subject)).toEqual(["7/1"]);
  });

  it("the sequencer keeps them: its elected process makes the missing months on its first tick", async () => {
    await insertAt("2031-05-03T10:00:00Z", "far ahead");
    const sequencer = startSequencer(() => t.db, { intervalMs: 10 });
    try {
      await vi.waitFor(async () => expect((await whereIs())[0]!.part).toBe("activity_events_p203105"), {
        timeout: 60_000,
        interval: 100,
      });
    } finally {
      await sequencer.stop();
    }
  });

  it("makes the months ahead it is asked for, and never fewer than this month", async () => {
    const [made] = await query<{ made: number }>(
      sql`select activity_partitions_ensure(${PARTITION_MONTHS_AHEAD + 2}) as made`,
    );
    expect(Number(made!.made)).toBe(2);
    const names = (await partitions()).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([monthName(PARTITION_MONTHS_AHEAD + 1), monthName(PARTITION_MONTHS_AHEAD + 2)]),
    );
    const [none] = await query<{ made: number }>(sql`select activity_partitions_ensure(-1) as made`);
    expect(Number(none!.made)).toBe(0);
  });

  describe("the guard holds on every partition, those made later too", () => {
    // A role that is not the tables' owner, granted everything on the partitions by mistake (a blanket
    // `GRANT ALL ON ALL TABLES`); SET LOCAL ROLE works on PGlite too.
    const attempt = (statement: string) =>
      t.db
        .transaction(async (tx) => {
          await tx.execute(
            sql`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'activity_test_app') THEN CREATE ROLE activity_test_app NOLOGIN; END IF; END $$`,
          );
          await tx.execute(sql`GRANT ALL ON ALL TABLES IN SCHEMA public TO activity_test_app`);
          await tx.execute(sql`SET LOCAL ROLE activity_test_app`);
          await tx.execute(sql.raw(statement));
        })
        .then(
          () => "done",
          (e: unknown) => String((e as Error).cause ?? e),
        );

    it("refuses UPDATE, DELETE and TRUNCATE of a partition, and DROP, to a role that is not the owner", async () => {
      await insertAt(new Date().toISOString(), "now");
      await insertAt("2031-05-03T10:00:00Z", "far ahead");
      await t.db.execute(sql`select activity_partitions_ensure(0)`);
      for (const part of [monthName(0), "activity_events_p203105", "activity_events_default"]) {
        for (const statement of [`UPDATE ${part} SET subject = 'forged'`, `DELETE FROM ${part}`]) {
          // An empty partition has no row for the row trigger to refuse: nothing happens to it either way.
          const result = await attempt(statement);
          if (part === "activity_events_default") expect(result).toBe("done");
          else expect(result).toMatch(/append-only: (UPDATE|DELETE) is not allowed/);
        }
        expect(await attempt(`TRUNCATE ${part}`)).toMatch(/append-only: TRUNCATE is not allowed/);
        expect(await attempt(`DROP TABLE ${part}`)).toMatch(/must be owner of table/);
        expect(await attempt(`ALTER TABLE activity_events DETACH PARTITION ${part}`)).toMatch(/must be owner of table/);
      }
      expect((await whereIs()).map((r) => r.subject)).toEqual(["now", "far ahead"]);
    });
  });
});

/** Thrown to roll back a test's transaction, whose DDL would otherwise outlive it on a server. */
class RollBack extends Error {}

/**
 * Runs `fn` in a transaction that is always rolled back: the test may drop and remake the events table
 * (on a server the worker's database outlives this file).
 */
async function rolledBack(fn: (tx: AnyDatabase) => Promise<void>): Promise<void> {
  await t.db
    .transaction(async (tx) => {
      await fn(tx as unknown as AnyDatabase);
      throw new RollBack();
    })
    .catch((e: unknown) => {
      if (!(e instanceof RollBack)) throw e;
    });
}

/** The events table as a base before version 4 made it: one table, its key `id`. */
async function unpartitionedLog(tx: AnyDatabase) {
  await tx.execute(sql`DROP TABLE activity_events`);
  const events = KIT_TABLES_SQL.filter(
    (s) => /^CREATE (TABLE|INDEX) IF NOT EXISTS "activity_events/.test(s) || s.includes('ON "activity_events"'),
  );
  for (const statement of [...events, `ALTER TABLE "activity_events" ADD COLUMN IF NOT EXISTS "erased" jsonb`]) {
    await tx.execute(sql.raw(statement));
  }
  for (const statement of kitFunctionStatements()) await tx.execute(sql.raw(statement));
  const [kind] = await query<{ kind: string }>(
    sql`select relkind as kind from pg_class where oid = 'activity_events'::regclass`,
    tx,
  );
  expect(kind!.kind).toBe("r");
}

describe("the migration of an unpartitioned events table", () => {
  it("keeps every row, id, grant and guard, and the identity sequence's place; verify passes after", async () => {
    await rolledBack(async (tx) => {
      await unpartitionedLog(tx);
      const months = [
        "2025-11-15T12:00:00Z",
        "2026-01-31T23:59:59.999Z",
        "2026-02-01T00:00:00Z",
        "2031-05-03T00:00:00Z",
      ];
      for (const [i, at] of months.entries()) {
        await insertAt(at, `event ${i}`, tx);
        await insertAt(at, `other ${i}`, tx, "8");
      }
      await insertAt(new Date().toISOString(), "now", tx);
      await tx.execute(sql`update activity_events set erased = '{"/ip": "x"}' where subject = 'event 1'`);
      await sequenceOnce(tx);
      // Ids taken and never stored (a rolled-back action's): the sequence is ahead of max(id).
      await tx.execute(sql`select nextval(pg_get_serial_sequence('activity_events', 'id')) from generate_series(1, 5)`);
      await tx.execute(
        sql`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'activity_test_app') THEN CREATE ROLE activity_test_app NOLOGIN; END IF; END $$`,
      );
      for (const statement of activityGrantStatements("activity_test_app")) await tx.execute(sql.raw(statement));
      const rows = await allEvents(tx);
      expect(rows).toHaveLength(9);

      // What a host's next `activity migration` runs: the table upgrades it lacks, then the functions.
      for (const statement of [...KIT_TABLE_UPGRADES_SQL, ...kitFunctionStatements()]) {
        await tx.execute(sql.raw(statement));
      }

      const [kind] = await query<{ kind: string }>(
        sql`select relkind as kind from pg_class where oid = 'activity_events'::regclass`,
        tx,
      );
      expect(kind!.kind).toBe("p");
      expect(await allEvents(tx)).toEqual(rows);
      const placed = await query<{ subject: string; part: string }>(
        sql`select subject, tableoid::regclass::text as part from activity_events where workspace_id = '7' order by id`,
        tx,
      );
      expect(placed).toEqual([
        { subject: "event 0", part: "activity_events_p202511" },
        { subject: "event 1", part: "activity_events_p202601" },
        { subject: "event 2", part: "activity_events_p202602" },
        { subject: "event 3", part: "activity_events_p203105" },
        { subject: "now", part: monthName(0) },
      ]);
      expect((await partitions(tx)).map((p) => p.name)).toEqual(
        expect.arrayContaining(Array.from({ length: PARTITION_MONTHS_AHEAD + 1 }, (_, i) => monthName(i))),
      );
      // The identity sequence goes on from where it was: past the ids taken and never stored.
      await insertAt(new Date().toISOString(), "after", tx);
      expect((await allEvents(tx)).at(-1)!.id).toBe(rows.at(-1)!.id + 6);
      const [privileges] = await query<Record<string, boolean>>(
        sql`select has_table_privilege('activity_test_app', 'activity_events', 'SELECT') as "select",
                   has_table_privilege('activity_test_app', 'activity_events', 'INSERT') as "insert",
                   has_table_privilege('activity_test_app', 'activity_events', 'UPDATE') as "update",
                   has_table_privilege('activity_test_app', 'activity_events', 'DELETE') as "delete",
                   has_sequence_privilege('activity_test_app', pg_get_serial_sequence('activity_events', 'id'), 'USAGE') as "usage"`,
        tx,
      );
      expect(privileges).toEqual({ select: true, insert: true, update: false, delete: false, usage: true });
      for (const name of ["activity_events", "activity_events_p202511", "activity_events_default", monthName(1)]) {
        expect(await triggersOn(name, tx)).toEqual(["activity_events_append_only", "activity_events_no_truncate"]);
      }
      expect(await parentIndexesOf("activity_events_p202511", tx)).toEqual(PARENT_INDEXES);
      expect(await query(sql`select relname from pg_class where relname like '%unpartitioned%'`, tx)).toEqual([]);

      // The chain still verifies, every event of it, and sequencing goes on. (The sequencer looks again only
      // at transactions after its last busy snapshot, which this one, still open, may not be: forget it.)
      await tx.execute(sql`delete from activity_sequencer`);
      expect(await sequenceOnce(tx)).toEqual({ "7": 6 });
      for (const workspace of ["7", "8"]) {
        const result = await verifyChain(tx, workspace, { sealingDelayMs: 0 });
        expect([result.ok, result.problem, result.checked]).toEqual([true, null, workspace === "7" ? 6 : 4]);
      }
      // Run again (a host that also has a drizzle-kit migration of it): nothing changes.
      for (const statement of KIT_TABLE_UPGRADES_SQL) await tx.execute(sql.raw(statement));
      expect(await allEvents(tx)).toHaveLength(10);
      expect(await ensurePartitions(tx)).toBe(0);
    });
    // Rolled back: the file's other tests see the table as the install made it.
    expect((await partitions()).map((p) => p.name)).not.toContain("activity_events_p202511");
  });
});

describe("retention by whole months", () => {
  const POLICIES = { "task.*": "2 years", "user.signed_in": "90 days" };

  /** Old months, moved out of the default partition into partitions of their own by ensure(). */
  async function history() {
    const events: [string, string, string][] = [
      // March 2020: every event under a policy and past it: the month goes whole.
      ["2020-03-01T00:00:00Z", "task.created", "7"],
      ["2020-03-15T10:00:00Z", "task.completed", "8"],
      ["2020-03-31T23:59:59.999Z", "user.signed_in", "7"],
      // April 2020: one event no policy matches: kept, the others go row by row.
      ["2020-04-02T00:00:00Z", "task.created", "7"],
      ["2020-04-03T00:00:00Z", "note.closed", "7"],
      // May 2020: sequenced later (below): the month is not dropped, its events are not removed.
      ["2020-05-02T00:00:00Z", "task.created", "7"],
    ];
    for (const [i, [at, action, workspace]] of events.entries()) {
      if (i === 5) await sequenceOnce(t.db);
      await insertAt(at, `${action} ${at.slice(0, 10)}`, t.db, workspace, action);
    }
    await ensurePartitions(t.db);
    expect((await partitions()).map((p) => p.name)).toEqual(
      expect.arrayContaining(["activity_events_p202003", "activity_events_p202004", "activity_events_p202005"]),
    );
  }

  it("drops a month of which every event goes, recording each removal as the row by row batches do; a mixed month goes row by row", async () => {
    await history();
    const seals = await t.db.select().from(activitySeals);
    const sequence = await t.db.select().from(activitySequence);
    const seqOf = (subject: string) => {
      const event = before.find((e) => e.subject === subject)!;
      return {
        workspaceId: event.workspaceId,
        eventId: event.id,
        seq: sequence.find((s) => s.eventId === event.id)!.seq,
      };
    };
    const before = await allEvents(t.db);

    // A dry run names the month and drops nothing; it counts every event either way.
    const dry = await applyRetention(t.db, POLICIES, { dryRun: true });
    expect(dry.map((o) => [o.pattern, o.removed, o.months])).toEqual([
      ["user.signed_in", 1, ["activity_events_p202003"]],
      ["task.*", 3, ["activity_events_p202003"]],
    ]);
    expect(await allEvents(t.db)).toEqual(before);

    const outcomes = await applyRetention(t.db, POLICIES);
    expect(outcomes.map((o) => [o.pattern, o.removed, o.months])).toEqual([
      ["user.signed_in", 1, ["activity_events_p202003"]],
      ["task.*", 3, ["activity_events_p202003"]],
    ]);
    expect((await partitions()).map((p) => p.name)).not.toContain("activity_events_p202003");
    expect((await whereIs()).map((r) => r.subject)).toEqual(["note.closed 2020-04-03", "task.created 2020-05-02"]);
    // Each removed event: one row of activity_removals with its policy and number, as a batch writes it.
    const removals = await t.db.select().from(activityRemovals).orderBy(activityRemovals.id);
    expect(
      removals.map(({ workspaceId, eventId, seq, reason, policy }) => ({ workspaceId, eventId, seq, reason, policy })),
    ).toEqual([
      { ...seqOf("task.created 2020-03-01"), reason: "retention", policy: "task.* = 2 years" },
      { ...seqOf("task.completed 2020-03-15"), reason: "retention", policy: "task.* = 2 years" },
      { ...seqOf("user.signed_in 2020-03-31"), reason: "retention", policy: "user.signed_in = 90 days" },
      { ...seqOf("task.created 2020-04-02"), reason: "retention", policy: "task.* = 2 years" },
    ]);
    // Their sequence rows went with them; every seal stayed, and the chains still verify.
    expect((await t.db.select().from(activitySequence)).map((s) => s.eventId).sort()).toEqual([
      seqOf("note.closed 2020-04-03").eventId,
    ]);
    expect(await t.db.select().from(activitySeals)).toEqual(seals);
    await sequenceOnce(t.db);
    for (const workspace of ["7", "8"]) {
      const result = await verifyChain(t.db, workspace);
      expect([workspace, result.ok, result.problem]).toEqual([workspace, true, null]);
    }
    // May's event is sequenced now: the next run drops its month; then nothing is left to drop.
    expect((await applyRetention(t.db, POLICIES)).map((o) => [o.removed, o.months])).toEqual([
      [0, []],
      [1, ["activity_events_p202005"]],
    ]);
    expect((await applyRetention(t.db, POLICIES)).map((o) => [o.removed, o.months])).toEqual([
      [0, []],
      [0, []],
    ]);
    expect((await whereIs()).map((r) => r.subject)).toEqual(["note.closed 2020-04-03"]);
  });

  it("with partitions: false, or a month under no policy's cut-off yet, removes row by row only", async () => {
    await history();
    const outcomes = await applyRetention(t.db, POLICIES, { partitions: false });
    expect(outcomes.map((o) => [o.removed, o.months])).toEqual([
      [1, []],
      [3, []],
    ]);
    expect((await partitions()).map((p) => p.name)).toContain("activity_events_p202003");
    // A policy whose cut-off is before the month: nothing of it goes, the month stays.
    await insertAt("2020-06-10T00:00:00Z", "recent enough", t.db, "7", "task.created");
    await ensurePartitions(t.db);
    await sequenceOnce(t.db);
    const kept = await applyRetention(t.db, { "task.*": "100 years" });
    expect(kept.map((o) => [o.removed, o.months])).toEqual([[0, []]]);
    expect((await partitions()).map((p) => p.name)).toContain("activity_events_p202006");
  });
});
