import { eq, lte, sql } from "drizzle-orm";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import { planNodes } from "@/test/plans";
import type { Actor } from "./actor";
import { ActivityError } from "./errors";
import { pageQueries } from "./feed";
import { activitySequence } from "./schema";
import { sequenceOnce } from "./sequencer";
import { members, notes } from "./testing/schema";
import { sequenceAll } from "./testing/sequence";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

const workspaceId = 7;
const otherWorkspaceId = 8;
let alice: Actor;

beforeEach(async () => {
  const [member] = await t.db.insert(members).values({ name: "Alice" }).returning();
  alice = { type: "user", id: member!.id, name: "Alice", workspaceId };
});

/** Inserts events directly (fast, and with chosen timestamps: many share one). */
async function insertEvents(count: number, times: Date[], ws = workspaceId, action = "insert") {
  await t.db.execute(sql`
    insert into activity_events (workspace_id, occurred_at, actor_type, actor_id, actor_label, action, subject, record_type, record_id)
    select ${String(ws)}, (${JSON.stringify(times.map((d) => d.toISOString()))}::jsonb ->> ((g - 1) % ${times.length}))::timestamptz,
           'user', '999999', 'Synthetic', ${action}, 'synthetic ' || g, 'synthetic', g::text
      from generate_series(1, ${count}) as g`);
}

/** A page as a client gets it from the running app, whose sequencer has numbered what has committed. */
const page = async (params: Record<string, string>, ws = workspaceId) => {
  await sequenceOnce(t.db); // one tick numbers up to 5,000 events: more than any test writes between pages
  return kit.feed(ws, new URLSearchParams(params));
};

async function readAll(params: Record<string, string>, between?: (pageNumber: number) => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 1000; n++) {
    const result = await page(cursor ? { ...params, cursor } : params);
    ids.push(...result.items.map((i) => i.id));
    cursor = result.nextCursor;
    if (!cursor) break;
    await between?.(n);
  }
  return ids;
}

/** What an API client does to catch up: read from the top until it meets an event it already has. */
async function readNews(known: readonly string[], params: Record<string, string> = {}) {
  const news: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const result = await page(cursor ? { ...params, cursor } : params);
    for (const item of result.items) {
      if (known.includes(item.id)) return news;
      news.push(item.id);
    }
    cursor = result.nextCursor;
    if (!cursor) return news;
  }
}

/** Every event of the workspace (sequenced or not). */
async function allIds(): Promise<string[]> {
  const rows = await t.db.execute<{ id: string }>(
    sql`select id::text as id from activity_events where workspace_id = ${String(workspaceId)} order by activity_events.id`,
  );
  return (Array.isArray(rows) ? rows : (rows as unknown as { rows: { id: string }[] }).rows).map((r) => r.id);
}

/** The workspace's events in the order they became visible, the newest first. */
async function expectedOrder(): Promise<string[]> {
  await sequenceAll(t.db);
  const rows = await t.db.execute<{ event_id: string }>(
    sql`select event_id::text as event_id from activity_sequence where workspace_id = ${String(workspaceId)} order by seq desc`,
  );
  return (Array.isArray(rows) ? rows : (rows as unknown as { rows: { event_id: string }[] }).rows).map(
    (r) => r.event_id,
  );
}

const sorted = (ids: readonly string[]) => [...ids].sort((a, b) => Number(a) - Number(b));

describe("feed pagination", () => {
  it("property: the pages equal the list as it was at the first page, and catching up from the top finds every event that arrived meanwhile, each once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.record({ count: fc.integer({ min: 0, max: 5 }), late: fc.boolean() }), { maxLength: 5 }),
        async (count, distinctTimes, limit, arrivals) => {
          // As the tables' owner, whom the append-only guard lets truncate.
          await t.db.execute(
            sql`truncate activity_events, activity_sequence, activity_heads, activity_sequencer, activity_seals, activity_checkpoints`,
          );
          const base = Date.UTC(2026, 10, 1);
          const times = Array.from({ length: distinctTimes }, (_, i) => new Date(base + i * 1000));
          await insertEvents(count, times);
          const before = await expectedOrder();
          // Events keep becoming visible while the reader pages: newer than everything, or "late" — with a
          // time among those already paged past, as an event of a transaction that started long ago and
          // commits now. Either kind belongs above the first page: the pages show none of them, and skip
          // nothing for them; a client catching up from the top finds each of them once.
          const ids = await readAll({ limit: String(limit) }, async (n) => {
            const arrival = arrivals[n];
            if (arrival?.count) {
              await insertEvents(arrival.count, arrival.late ? times : [new Date(Date.UTC(2026, 10, 2))]);
            }
          });
          expect(ids).toEqual(before);
          const news = await readNews(ids, { limit: String(limit) });
          expect(sorted([...ids, ...news])).toEqual(await allIds());
        },
      ),
      { numRuns: 25 },
    );
  }, 90_000);

  it.runIf(process.env.TEST_DATABASE_URL)(
    "a transaction that commits while a client pages is neither skipped nor repeated (server database)",
    async () => {
      const at = (minutesAgo: number) => [new Date(Date.now() - minutesAgo * 60_000)];
      await insertEvents(6, at(10));
      // A tracked action that starts now and commits only after the client has paged past its time.
      let started!: () => void;
      const isRunning = new Promise<void>((resolve) => {
        started = resolve;
      });
      let commit!: () => void;
      const mayCommit = new Promise<void>((resolve) => {
        commit = resolve;
      });
      const late = kit.withTracking(alice, "insert", "note Late", async (tx) => {
        const [row] = await tx.insert(notes).values({ teamId: workspaceId, title: "Late" }).returning();
        started();
        await mayCommit;
        return row!;
      });
      await isRunning;
      // Committed after the long transaction started: their times are later than its event's.
      for (const title of ["A", "B", "C", "D", "E", "F"]) {
        await kit.withTracking(alice, "insert", `note ${title}`, (tx) =>
          tx.insert(notes).values({ teamId: workspaceId, title }),
        );
      }
      const first = await page({ limit: "4" });
      const second = await page({ limit: "4", cursor: first.nextCursor! });
      const paged = [...first.items, ...second.items].map((i) => i.id);
      commit();
      await late;
      const rest = await readAll({ limit: "4", cursor: second.nextCursor! });
      const seen = [...paged, ...rest];
      const news = await readNews(seen, { limit: "4" });
      const everything = [...seen, ...news];
      expect(new Set(everything).size).toBe(everything.length);
      expect(sorted(everything)).toEqual(await allIds());
      const lateEvent = (await page({ limit: "1" })).items[0]!;
      expect(lateEvent.subject).toBe("note Late");
      expect(news).toEqual([lateEvent.id]);
      expect(first.head).toBe(12);
      expect(lateEvent.seq).toBe(13);
    },
  );

  it("is newest first, and the default page is 30", async () => {
    await insertEvents(45, [new Date("2026-11-01T10:00:00Z"), new Date("2026-11-02T10:00:00Z")]);
    const first = await page({});
    expect(first.items).toHaveLength(30);
    // The last event to become visible first (whatever its time).
    expect(first.items[0]!.subject).toBe("synthetic 45");
    expect(first.items.map((i) => i.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 45 - i));
    // A date range reads another index, in the same order, and pages the same way.
    const dated = await page({ from: "2026-11-01", to: "2026-11-02" });
    expect(dated.items.map((i) => i.seq)).toEqual(first.items.map((i) => i.seq));
    expect((await page({ from: "2026-11-01", to: "2026-11-02", cursor: dated.nextCursor! })).items).toHaveLength(15);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await page({ cursor: first.nextCursor! });
    expect(second.items).toHaveLength(15);
    expect(second.nextCursor).toBeNull();
  });

  it("filters by record (its own and related events), actor, action and dates", async () => {
    const note = await kit.withTracking(alice, "insert", "note T", async (tx) => {
      const [row] = await tx.insert(notes).values({ teamId: workspaceId, title: "T" }).returning();
      return row!;
    });
    await kit.withTracking(alice, "insert", "remark about T", async () => ({ ok: true }), {
      record: { type: "remark", id: "5" },
      related: [{ type: "note", id: String(note.id) }],
    });
    await insertEvents(3, [new Date("2026-01-01T00:00:00Z")], workspaceId, "delete");

    expect((await page({ record: `note:${note.id}` })).items.map((i) => i.subject)).toEqual([
      "remark about T",
      "note T",
    ]);
    expect((await page({ record: "remark:5" })).items.map((i) => i.subject)).toEqual(["remark about T"]);
    expect((await page({ action: "delete" })).items).toHaveLength(3);
    expect((await page({ type: "synthetic" })).items).toHaveLength(3);
    expect((await page({ type: "remark" })).items.map((i) => i.subject)).toEqual(["remark about T"]);
    expect((await page({ actor: String((alice as { id: number }).id) })).items.map((i) => i.subject)).toEqual([
      "remark about T",
      "note T",
    ]);
    expect((await page({ from: "2025-12-31", to: "2026-01-01" })).items).toHaveLength(3);
    expect((await page({ from: "2025-12-31T23:59:59", to: "2026-01-01T00:00:01" })).items).toHaveLength(3);
    // Offsets: the same instant, written in two other zones, bounds the synthetic events exactly.
    expect((await page({ from: "2025-12-31T18:00:00-06:00", to: "2026-01-01T02:00:00+01:00" })).items).toHaveLength(3);
    expect((await page({ from: "2025-12-31T18:00:00.001-06:00", to: "2026-01-01T02:00:00+01:00" })).items).toHaveLength(
      0,
    );
    expect((await page({ to: "2025-12-31" })).items).toHaveLength(0);
  });

  it("finds no events by a user who was deleted (their events lose the link to them)", async () => {
    const [bob] = await t.db.insert(members).values({ name: "Bob" }).returning();
    const asBob: Actor = { type: "user", id: bob!.id, name: "Bob", workspaceId };
    await kit.withTracking(asBob, "insert", "note by Bob", (tx) =>
      tx.insert(notes).values({ teamId: workspaceId, title: "B" }),
    );
    expect((await page({ actor: String(bob!.id) })).items.map((i) => i.subject)).toEqual(["note by Bob"]);
    await t.db.delete(members).where(eq(members.id, bob!.id));
    expect((await page({ actor: String(bob!.id) })).items).toEqual([]);
    expect((await page({})).items.map((i) => [i.subject, i.actor.id])).toEqual([["note by Bob", null]]);
  });

  it("is scoped to the workspace, and a cursor of one workspace or filter is refused for another", async () => {
    await insertEvents(5, [new Date()], otherWorkspaceId);
    await insertEvents(3, [new Date()]);
    expect((await page({})).items).toHaveLength(3);
    expect((await page({}, otherWorkspaceId)).items).toHaveLength(5);
    const { nextCursor } = await page({ limit: "2" }, otherWorkspaceId);
    await expect(page({ cursor: nextCursor! })).rejects.toMatchObject({ code: "invalid_cursor" });
    await expect(page({ cursor: nextCursor!, action: "insert" }, otherWorkspaceId)).rejects.toMatchObject({
      code: "invalid_cursor",
    });
  });

  it.each([
    [{ limit: "0" }, "limit"],
    [{ limit: "10000" }, "limit"],
    [{ limit: "ten" }, "limit"],
    [{ limit: "2.5" }, "limit"],
    [{ action: "note.exploded" }, "action"],
    [{ record: "note" }, "record"],
    [{ record: "note:" }, "record"],
    [{ record: "Note:1; drop table" }, "record"],
    [{ actor: "' or 1=1" }, "actor"],
    [{ type: "Note" }, "type"],
    [{ from: "yesterday" }, "from"],
    [{ to: "2026-13-45" }, "to"],
    [{ from: "2026-02-30" }, "from"],
    [{ from: "0000-01-01" }, "from"],
    [{ to: "9999-12-31" }, "to"],
    [{ from: "2026-02-29T10:00:00Z" }, "from"],
    [{ from: "2026-11-02", to: "2026-11-01" }, "to"],
    [{ cursor: "garbage" }, "cursor"],
    [{ colour: "red" }, "colour"],
  ])("refuses %o, naming the parameter", async (params, parameter) => {
    const error = await page(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivityError);
    expect((error as ActivityError).parameter).toBe(parameter);
    expect((error as ActivityError).message.length).toBeGreaterThan(10);
  });

  it("refuses a cursor that was edited", async () => {
    await insertEvents(5, [new Date()]);
    const { nextCursor } = await page({ limit: "2" });
    const [body, signature] = nextCursor!.split(".");
    const forged = Buffer.from(JSON.stringify([1, Date.now(), 999999])).toString("base64url");
    await expect(page({ cursor: `${forged}.${signature}` })).rejects.toMatchObject({ code: "invalid_cursor" });
    await expect(page({ cursor: `${body}.${signature!.slice(1)}A` })).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  it("says whether each record still exists and links to it", async () => {
    const note = await kit.withTracking(alice, "insert", "note T", async (tx) => {
      const [row] = await tx.insert(notes).values({ teamId: workspaceId, title: "T" }).returning();
      return row!;
    });
    expect((await page({})).items[0]!.record).toEqual({
      type: "note",
      id: String(note.id),
      href: `/notes/${note.id}`,
      exists: true,
      label: "T",
    });
    await t.db.execute(sql`delete from notes`);
    const items = (await page({})).items;
    // Gone: no link to a missing page, and the name it last had.
    expect(items.map((i) => [i.action, i.record?.exists, i.record?.href, i.record?.label])).toEqual([
      ["delete", false, null, "T"],
      ["insert", false, null, "T"],
    ]);
  });
});

describe("date ranges", () => {
  /** The workspace's sequenced events within [from, to), newest first, read plainly from the sequence. */
  async function expectedInRange(from?: Date, to?: Date): Promise<string[]> {
    const rows = await t.db.execute<{ event_id: string }>(sql`
      select event_id::text as event_id from activity_sequence
       where workspace_id = ${String(workspaceId)}
         and (${from?.toISOString() ?? null}::timestamptz is null or occurred_at >= ${from?.toISOString() ?? null}::timestamptz)
         and (${to?.toISOString() ?? null}::timestamptz is null or occurred_at < ${to?.toISOString() ?? null}::timestamptz)
       order by seq desc`);
    return (Array.isArray(rows) ? rows : (rows as unknown as { rows: { event_id: string }[] }).rows).map(
      (r) => r.event_id,
    );
  }

  it("property: the pages of a range are its events in sequence order, whatever order their times were numbered in", async () => {
    const base = Date.UTC(2026, 10, 1);
    const second = (n: number) => new Date(base + n * 1000);
    await fc.assert(
      fc.asyncProperty(
        // Ticks of the sequencer, each numbering events at chosen seconds: in time order, a few seconds behind
        // what was numbered before (a transaction that began earlier and committed later), or far behind
        // (beyond LATE_MS: a long transaction, an event given its time).
        fc.array(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 8,
        }),
        // Entries a kit without lag numbered (null lag), and entries retention removed.
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.option(fc.integer({ min: -2, max: 62 }), { nil: undefined }),
        fc.option(fc.integer({ min: -2, max: 62 }), { nil: undefined }),
        fc.integer({ min: 1, max: 5 }),
        async (ticks, unknown, removed, fromSecond, toSecond, limit) => {
          await t.db.execute(
            sql`truncate activity_events, activity_sequence, activity_heads, activity_sequencer, activity_seals, activity_checkpoints`,
          );
          for (const seconds of ticks) {
            await insertEvents(seconds.length, seconds.map(second));
            await sequenceOnce(t.db, { seal: false });
          }
          const seqs = (n: number[]) => `{${n.map((k) => (k % 40) + 1).join(",")}}`;
          await t.db.execute(
            sql`update activity_sequence set lag_ms = null where seq = any(${seqs(unknown)}::bigint[])`,
          );
          await t.db.execute(sql`delete from activity_sequence where seq = any(${seqs(removed)}::bigint[])`);

          const from = fromSecond === undefined ? undefined : second(fromSecond);
          const to = toSecond === undefined ? undefined : second(toSecond);
          if (from && to && from >= to) return;
          const params: Record<string, string> = { limit: String(limit) };
          if (from) params.from = from.toISOString();
          if (to) params.to = to.toISOString();
          const ids: string[] = [];
          let cursor: string | null = null;
          for (let n = 0; n < 100; n++) {
            const result = await kit.feed(workspaceId, new URLSearchParams(cursor ? { ...params, cursor } : params));
            ids.push(...result.items.map((i) => i.id));
            cursor = result.nextCursor;
            if (!cursor) break;
          }
          expect(ids).toEqual(await expectedInRange(from, to));
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it("each entry's lag is how far its time lies behind the latest time numbered up to it", async () => {
    const base = Date.UTC(2026, 10, 1);
    await insertEvents(2, [new Date(base + 5_000), new Date(base + 2_000)]);
    await sequenceOnce(t.db, { seal: false });
    await insertEvents(2, [new Date(base + 1_000), new Date(base + 30_000)]);
    await sequenceOnce(t.db, { seal: false });
    const rows = await t.db.execute<{ seq: number; lag_ms: string }>(
      sql`select seq::int as seq, lag_ms::text as lag_ms from activity_sequence order by seq`,
    );
    const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: { seq: number; lag_ms: string }[] }).rows;
    expect(list.map((r) => r.lag_ms)).toEqual(["0", "3000", "4000", "0"]);
    const heads = await t.db.execute<{ latest_at: string }>(sql`select latest_at::text from activity_heads`);
    const head = (Array.isArray(heads) ? heads : (heads as unknown as { rows: { latest_at: string }[] }).rows)[0];
    expect(new Date(head!.latest_at).getTime()).toBe(base + 30_000);
  });

  it("a page of a range reads the stretch of the sequence it lies in from the top, not the whole range", async () => {
    // 4,000 events a second apart, numbered in time order: each range below holds 1,000 to 2,000 of them.
    const base = Date.UTC(2026, 10, 1);
    const second = (n: number) => new Date(base + n * 1000);
    await insertEvents(
      4000,
      Array.from({ length: 4000 }, (_, i) => second(i)),
    );
    await sequenceOnce(t.db, { seal: false });
    await t.db.execute(sql`analyze activity_sequence`);
    for (const filters of [{ to: second(2000) }, { from: second(1000) }, { from: second(1000), to: second(3000) }]) {
      const queries = await pageQueries(t.db, String(workspaceId), filters, lte(activitySequence.seq, 4000), 31);
      let read = 0;
      for (const query of queries) {
        for (const node of await planNodes(t.db, query, "analyze")) {
          if (node["Relation Name"] !== "activity_sequence") continue;
          read += ((node["Actual Rows"] ?? 0) + (node["Rows Removed by Filter"] ?? 0)) * (node["Actual Loops"] ?? 1);
        }
      }
      // The page's 31, and the entries of LATE_MS (10 s: 10 entries) past `to`; a sort of the range reads 1,000s.
      expect({ filters, read: read <= 31 + 10 + 2 }).toEqual({ filters, read: true });
      expect((await queries[0]!).length).toBe(31);
    }
  });
});
