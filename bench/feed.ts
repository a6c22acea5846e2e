/**
 * The read path at scale: pages of one workspace's feed among a million events, through the kit's own
 * `feed` (what GET /api/activity runs: the head, the keyset page, the items with their records' existence),
 * from the first page to the last by cursor, the same depths by OFFSET, and filtered pages. The cases run
 * interleaved, one repetition of each in turn, so machine noise touches them alike.
 */
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { createActivityKit } from "@/lib/activity";
import { type CursorPosition, createCursorCodec } from "@/lib/activity/cursor";
import { feedScope } from "@/lib/activity/feed";
import { catalogue, trackedTables } from "@/lib/activity-kit";
import { type Database, openPostgres } from "@/lib/db/client";
import { activityEvents, activitySequence } from "@/lib/db/schema";
import { explain, type PlanSummary, planSketch, recordingDatabase } from "./lib/explain";
import { firstRow, SEED, seedFeed } from "./lib/seed";
import { summarizeLatencies } from "./lib/stats";
import { type Suite, type SuiteContext, writeResults } from "./lib/suite";
import { count, fixed, formatTable } from "./lib/table";

const SECRET = "bench-secret-0123456789";
/** Events of the measured workspace (BENCH_FEED_EVENTS overrides, for a quick run). */
const DEFAULT_EVENTS = 1_000_000;
const { otherEvents: OTHER_EVENTS, actors: ACTORS, records: RECORDS } = SEED;
const LIMIT = 30;
/** "Deep": this many pages in. */
const DEPTH_PAGES = 1_000;
/** Repetitions: cheap cases, OFFSET at depth, OFFSET at the last page. */
const REPS = { cheap: 200, offsetDeep: 50, offsetLast: 10 } as const;
const WARMUP_REPS = 3;

const eventsOf = () => {
  const n = Number(process.env.BENCH_FEED_EVENTS ?? DEFAULT_EVENTS);
  if (!Number.isSafeInteger(n) || n < LIMIT * (DEPTH_PAGES + 2)) {
    throw new Error(`BENCH_FEED_EVENTS must be a whole number of at least ${LIMIT * (DEPTH_PAGES + 2)}`);
  }
  return n;
};

const makeKit = (db: Database) => createActivityKit({ db: () => db, catalogue, tables: trackedTables, secret: SECRET });
type Kit = ReturnType<typeof makeKit>;

/* ---------------------------------------------------------------- positions and raw pages */

/** The event at `offset` in the workspace's newest-first order: a cursor after it starts the next page there. */
async function positionAt(db: Database, workspaceId: number, offset: number): Promise<CursorPosition> {
  const s = activitySequence;
  const [row] = await db
    .select({ seq: s.seq })
    .from(s)
    .where(eq(s.workspaceId, String(workspaceId)))
    .orderBy(desc(s.seq))
    .offset(offset)
    .limit(1);
  if (!row) throw new Error(`no event at offset ${offset}`);
  return row;
}

/** The kit's page query by hand (same columns, join and order), by keyset or by OFFSET. */
function rawPage(db: Database, workspaceId: number, at: { after: CursorPosition } | { offset: number }) {
  const e = activityEvents;
  const s = activitySequence;
  const query = db
    .select({ event: e, seq: s.seq })
    .from(s)
    .innerJoin(e, eq(e.id, s.eventId))
    .where(
      and(
        eq(s.workspaceId, String(workspaceId)),
        eq(e.workspaceId, String(workspaceId)),
        "after" in at ? lt(s.seq, at.after.seq) : undefined,
      ),
    )
    .orderBy(desc(s.seq))
    .limit(LIMIT);
  return "offset" in at ? query.offset(at.offset) : query;
}

/* ---------------------------------------------------------------- the cases */

interface ReadCase {
  id: string;
  label: string;
  reps: number;
  /** The case this one is compared with (the ratio of medians). */
  baseline?: string;
  /** Runs once; resolves to the ids of the page. */
  run(): Promise<number[]>;
}

interface Positions {
  deepCursor: string;
  lastCursor: string;
  deep: CursorPosition;
  last: CursorPosition;
  deepOffset: number;
  lastOffset: number;
  actor: string;
  record: string;
  /** A day six months back (`from`, `to`), and that day's start as a `to` alone. */
  day: { from: string; to: string };
}

const feedIds = async (kit: Kit, workspaceId: number, params: Record<string, string>) =>
  (await kit.feed(workspaceId, new URLSearchParams({ limit: String(LIMIT), ...params }))).items.map((i) =>
    Number(i.id),
  );

function cases(db: Database, kit: Kit, workspaceId: number, p: Positions): ReadCase[] {
  const raw = async (at: Parameters<typeof rawPage>[2]) => (await rawPage(db, workspaceId, at)).map((r) => r.event.id);
  return [
    { id: "first", label: "kit.feed: first page", reps: REPS.cheap, run: () => feedIds(kit, workspaceId, {}) },
    {
      id: "deep",
      label: `kit.feed: ${count(DEPTH_PAGES)} pages deep, by cursor`,
      reps: REPS.cheap,
      baseline: "first",
      run: () => feedIds(kit, workspaceId, { cursor: p.deepCursor }),
    },
    {
      id: "last",
      label: "kit.feed: last page, by cursor",
      reps: REPS.cheap,
      baseline: "first",
      run: () => feedIds(kit, workspaceId, { cursor: p.lastCursor }),
    },
    {
      id: "actor",
      label: `kit.feed: actor=${p.actor}, first page`,
      reps: REPS.cheap,
      baseline: "first",
      run: () => feedIds(kit, workspaceId, { actor: p.actor }),
    },
    {
      id: "record",
      label: `kit.feed: record=${p.record}`,
      reps: REPS.cheap,
      baseline: "first",
      run: () => feedIds(kit, workspaceId, { record: p.record }),
    },
    {
      id: "action",
      label: "kit.feed: action=task.cancelled (5%), first page",
      reps: REPS.cheap,
      baseline: "first",
      run: () => feedIds(kit, workspaceId, { action: "task.cancelled" }),
    },
    {
      id: "day",
      label: `kit.feed: from=${p.day.from}&to=${p.day.from} (one day, six months back), first page`,
      reps: REPS.cheap,
      baseline: "first",
      run: () => feedIds(kit, workspaceId, { from: p.day.from, to: p.day.from }),
    },
    {
      id: "before",
      label: `kit.feed: to=${p.day.from} (half of the log is newer), first page`,
      reps: REPS.cheap,
      baseline: "first",
      run: () => feedIds(kit, workspaceId, { to: p.day.from }),
    },
    {
      id: "sql.keyset.deep",
      label: `SQL keyset, ${count(DEPTH_PAGES)} pages deep`,
      reps: REPS.cheap,
      run: () => raw({ after: p.deep }),
    },
    {
      id: "sql.offset.deep",
      label: `SQL OFFSET ${count(p.deepOffset)}`,
      reps: REPS.offsetDeep,
      baseline: "sql.keyset.deep",
      run: () => raw({ offset: p.deepOffset }),
    },
    { id: "sql.keyset.last", label: "SQL keyset, last page", reps: REPS.cheap, run: () => raw({ after: p.last }) },
    {
      id: "sql.offset.last",
      label: `SQL OFFSET ${count(p.lastOffset)} (last page)`,
      reps: REPS.offsetLast,
      baseline: "sql.keyset.last",
      run: () => raw({ offset: p.lastOffset }),
    },
  ];
}

/** Every case once per repetition, the order rotated each time, until each has its repetitions. */
async function measure(all: readonly ReadCase[]): Promise<Map<string, { ms: number[]; rows: number }>> {
  const results = new Map(all.map((c) => [c.id, { ms: [] as number[], rows: 0 }]));
  for (const c of all) for (let i = 0; i < WARMUP_REPS; i++) await c.run();
  const most = Math.max(...all.map((c) => c.reps));
  for (let rep = 0; rep < most; rep++) {
    const offset = rep % all.length;
    for (const c of [...all.slice(offset), ...all.slice(0, offset)]) {
      if (rep >= c.reps) continue;
      const t0 = performance.now();
      const ids = await c.run();
      const result = results.get(c.id)!;
      result.ms.push(performance.now() - t0);
      result.rows = ids.length;
    }
  }
  return results;
}

/* ---------------------------------------------------------------- checks and plans */

interface Check {
  label: string;
  ok: boolean;
}

/** Walks the first pages one by one, as a browser scrolling would: none repeats or skips an event. */
async function walk(kit: Kit, workspaceId: number, pages: number, expectedCursor: string) {
  const seen = new Set<number>();
  let cursor: string | undefined;
  let ordered = true;
  let previous: number | undefined;
  const t0 = performance.now();
  for (let page = 0; page < pages; page++) {
    const result = await kit.feed(
      workspaceId,
      new URLSearchParams({ limit: String(LIMIT), ...(cursor && { cursor }) }),
    );
    for (const item of result.items) {
      if (item.seq === null || (previous !== undefined && item.seq >= previous)) ordered = false;
      previous = item.seq ?? undefined;
      seen.add(Number(item.id));
    }
    cursor = result.nextCursor ?? undefined;
    if (!cursor) break;
  }
  const msPerPage = (performance.now() - t0) / pages;
  return {
    msPerPage,
    checks: [
      {
        label: `walking ${count(pages)} pages by cursor gave ${count(seen.size)} distinct events of ${count(pages * LIMIT)}, newest first`,
        ok: seen.size === pages * LIMIT && ordered,
      },
      { label: "the cursor it ended with equals the one computed from SQL", ok: cursor === expectedCursor },
    ] satisfies Check[],
  };
}

interface Plan extends PlanSummary {
  case: string;
  feedIndex: boolean;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statement a case really sends: a connection that records what
 * postgres.js sends runs the case once, and its page query (the one with ORDER BY) is explained.
 */
async function explainCases(
  url: string,
  workspaceId: number,
  all: readonly ReadCase[],
  make: typeof cases,
  p: Positions,
) {
  const recording = recordingDatabase(url);
  const own = new Map(make(recording.db, makeKit(recording.db), workspaceId, p).map((c) => [c.id, c]));
  const plans: Plan[] = [];
  try {
    for (const c of all) {
      recording.take();
      await own.get(c.id)!.run();
      const page = recording.take().find((s) => /order by/i.test(s.query) && s.query.includes('"activity_events"'));
      if (!page) throw new Error(`${c.id}: no page query seen`);
      const summary = await explain(recording.client, page);
      plans.push({
        case: c.id,
        ...summary,
        feedIndex: summary.text.some((l) => /Index (Only )?Scan( Backward)? using activity_sequence_pkey/.test(l)),
      });
    }
  } finally {
    await recording.client.end({ timeout: 5 });
  }
  return plans;
}

/* ---------------------------------------------------------------- the suite */

interface CaseSummary {
  id: string;
  label: string;
  reps: number;
  rows: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  baseline: string | null;
  /** This case's median over its baseline's median, both measured interleaved in this run. */
  ratio: number;
}

function summarize(all: readonly ReadCase[], results: Map<string, { ms: number[]; rows: number }>): CaseSummary[] {
  const p50 = (id: string) => summarizeLatencies(Float64Array.from(results.get(id)?.ms ?? [])).p50;
  return all.map((c) => {
    const r = summarizeLatencies(Float64Array.from(results.get(c.id)!.ms));
    return {
      id: c.id,
      label: c.label,
      reps: r.count,
      rows: results.get(c.id)!.rows,
      p50Ms: r.p50,
      p99Ms: r.p99,
      maxMs: r.max,
      baseline: c.baseline ?? null,
      ratio: c.baseline ? r.p50 / p50(c.baseline) : Number.NaN,
    };
  });
}

function printTable(summaries: readonly CaseSummary[]) {
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const headers = ["case", "reps", "rows", "p50 ms", "p99 ms", "max ms", "× baseline", "baseline"];
  const rows = summaries.map((s) => [
    s.label,
    count(s.reps),
    count(s.rows),
    fixed(s.p50Ms, 3),
    fixed(s.p99Ms, 3),
    fixed(s.maxMs, 3),
    s.baseline ? fixed(s.ratio, 2) : "",
    s.baseline ? (byId.get(s.baseline)?.label ?? s.baseline) : "",
  ]);
  console.log(formatTable(headers, rows));
}

const mark = (ok: boolean) => (ok ? "✓" : "✗");

export const feed: Suite = {
  name: "feed",
  description: "the read path at scale: feed pages among 1M events, by cursor vs OFFSET, filtered",

  estimateSeconds() {
    return 90 * (eventsOf() / DEFAULT_EVENTS) + 30;
  },

  async run(context: SuiteContext) {
    const events = eventsOf();
    const handle = await openPostgres(context.databaseUrl, { max: 2 });
    try {
      const { db } = handle;
      process.stderr.write(`\nfeed: seeding ${count(events)} + ${count(OTHER_EVENTS)} events\n`);
      const fixture = await seedFeed(db, { events, label: "feed" });
      const ws = fixture.workspaceId;
      const kit = makeKit(db);
      const codec = createCursorCodec(SECRET);
      const scope = feedScope(String(ws), {});
      const deepOffset = DEPTH_PAGES * LIMIT;
      const lastOffset = events - LIMIT;
      const deep = await positionAt(db, ws, deepOffset - 1);
      const last = await positionAt(db, ws, lastOffset - 1);
      const newest = firstRow<{ record_id: string }>(
        await db.execute(sql`SELECT record_id FROM activity_events WHERE workspace_id = ${String(ws)}
          ORDER BY occurred_at DESC, id DESC LIMIT 1`),
      );
      const positions: Positions = {
        deep,
        last,
        deepOffset,
        lastOffset,
        deepCursor: codec.encode(deep, scope),
        lastCursor: codec.encode(last, scope),
        actor: "7",
        record: `task:${newest.record_id}`,
        day: {
          from: new Date(fixture.t0.getTime() - 182 * 86_400_000).toISOString().slice(0, 10),
          to: new Date(fixture.t0.getTime() - 181 * 86_400_000).toISOString().slice(0, 10),
        },
      };

      console.log(`
Feed: one workspace of ${count(events)} events (a second one of ${count(OTHER_EVENTS)} shares the table and indexes),
seeded with INSERT ... SELECT generate_series in ${fixed(fixture.seedSeconds, 0)} s, then every event sequenced,
VACUUM ANALYZE. Times spread over a year, three events per millisecond timestamp (ties); ${ACTORS} actors; actions
5% task.cancelled, 15% delete, 30% insert, 50% update; ${count(RECORDS)} tasks, about ${fixed(events / RECORDS, 0)} events each.
activity_events ${fixture.sizes.table}; indexes ${Object.entries(fixture.sizes.indexes)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}.
  kit.feed    createActivityKit(...).feed(workspace, ?limit=${LIMIT}&cursor=...): the head, the keyset page (joined
              to activity_sequence) and the items (one query for whether their records exist): 3 statements
  SQL keyset  the same page query by hand (drizzle), keyset after the same position: 1 statement
  SQL OFFSET  the same page query with OFFSET instead of a cursor: 1 statement
Each case ${REPS.cheap} times (OFFSET ${REPS.offsetDeep} at depth, ${REPS.offsetLast} at the last page) after ${WARMUP_REPS} warm-ups,
interleaved one repetition of each in turn; wall time in this process, over loopback, one connection at a time.
"× baseline" is this case's p50 over its baseline's p50.`);

      const all = cases(db, kit, ws, positions);
      process.stderr.write("  feed: walking pages\n");
      const walked = await walk(kit, ws, DEPTH_PAGES, positions.deepCursor);
      const deepIds = await all.find((c) => c.id === "deep")!.run();
      const offsetIds = await all.find((c) => c.id === "sql.offset.deep")!.run();
      const lastPage = await kit.feed(ws, new URLSearchParams({ limit: String(LIMIT), cursor: positions.lastCursor }));
      const offsetLastIds = await all.find((c) => c.id === "sql.offset.last")!.run();
      const checks: Check[] = [
        ...walked.checks,
        {
          label: `the deep page by cursor and by OFFSET ${count(deepOffset)} hold the same ${LIMIT} events`,
          ok: deepIds.length === LIMIT && deepIds.join() === offsetIds.join(),
        },
        {
          label: "the last page by cursor equals OFFSET's and has no next cursor",
          ok:
            lastPage.items.length === LIMIT &&
            lastPage.items.map((i) => Number(i.id)).join() === offsetLastIds.join() &&
            lastPage.nextCursor === null,
        },
      ];

      process.stderr.write("  feed: measuring\n");
      const results = await measure(all);
      const summaries = summarize(all, results);
      process.stderr.write("  feed: explaining\n");
      const plans = await explainCases(context.databaseUrl, ws, all, cases, positions);

      const s = new Map(summaries.map((x) => [x.id, x]));
      const ratio = (a: string, b: string) => s.get(a)!.p50Ms / s.get(b)!.p50Ms;
      console.log("");
      printTable(summaries);
      console.log(`
  deep cursor page / first page        ${fixed(ratio("deep", "first"), 2)}×   (${count(DEPTH_PAGES)} pages in; the last page: ${fixed(ratio("last", "first"), 2)}×)
  OFFSET / keyset, same depth, SQL     ${fixed(ratio("sql.offset.deep", "sql.keyset.deep"), 1)}×   (last page: ${fixed(ratio("sql.offset.last", "sql.keyset.last"), 0)}×)
  OFFSET (SQL) / kit.feed by cursor    ${fixed(ratio("sql.offset.deep", "deep"), 1)}×   (last page: ${fixed(ratio("sql.offset.last", "last"), 0)}×)
  walking ${count(DEPTH_PAGES)} pages with kit.feed     ${fixed(walked.msPerPage, 2)} ms per page on average

Checks:
${checks.map((c) => `  ${mark(c.ok)} ${c.label}`).join("\n")}

Plans (EXPLAIN (ANALYZE, BUFFERS) of the page query each case sends, once, after the timings):`);
      for (const plan of plans) {
        const label = all.find((c) => c.id === plan.case)!.label;
        const feedIndexNote =
          plan.case === "first" || plan.case === "deep" || plan.case === "last"
            ? `  ${mark(plan.feedIndex)} Index Scan on activity_sequence_pkey`
            : "";
        console.log(
          `  ${label}: ${fixed(plan.executionMs, 3)} ms, ${plan.buffers || "no buffers line"}; indexes: ${plan.indexes.join(", ") || "none"}${feedIndexNote}`,
        );
        for (const line of planSketch(plan)) console.log(`      ${line}`);
      }

      writeResults(context, "feed", {
        data: {
          events,
          otherEvents: OTHER_EVENTS,
          actors: ACTORS,
          records: RECORDS,
          seedSeconds: fixture.seedSeconds,
          sizes: fixture.sizes,
        },
        limit: LIMIT,
        depthPages: DEPTH_PAGES,
        reps: REPS,
        cases: summaries,
        ratios: {
          deepOverFirst: ratio("deep", "first"),
          lastOverFirst: ratio("last", "first"),
          offsetOverKeysetDeep: ratio("sql.offset.deep", "sql.keyset.deep"),
          offsetOverKeysetLast: ratio("sql.offset.last", "sql.keyset.last"),
          offsetOverFeedDeep: ratio("sql.offset.deep", "deep"),
        },
        walkMsPerPage: walked.msPerPage,
        checks,
        plans,
      });
    } finally {
      await handle.close();
    }
  },
};
