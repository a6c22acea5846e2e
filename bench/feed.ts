/**
 * The read path at scale: pages of one workspace's feed among a million events, through the kit's own
 * `feed` (what GET /api/activity runs: the head, the keyset page, the items with their records' existence),
 * from the first page to the last by cursor, the same depths by OFFSET, and filtered pages. The cases run
 * interleaved, one repetition of each in turn, so machine noise touches them alike.
 */
import { loadavg } from "node:os";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { createActivityKit } from "@/lib/activity";
import { type CursorPosition, createCursorCodec } from "@/lib/activity/cursor";
import { feedScope } from "@/lib/activity/feed";
import { catalogue, trackedTables } from "@/lib/activity-kit";
import { type Database, openPostgres } from "@/lib/db/client";
import { activityEvents, activitySequence } from "@/lib/db/schema";
import { explain, type PlanSummary, planNote, planSketch, recordingDatabase } from "./lib/explain";
import { formatScaleTable, type ScaleRow, short, sizesOf } from "./lib/scale";
import { type Fixture, firstRow, growFeed, SEED, seedFeed } from "./lib/seed";
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

/**
 * The sizes to measure: BENCH_FEED_EVENTS=10000000 measures at 1M, grows the same database to 10M and
 * measures again; a comma-separated list gives the sizes themselves.
 */
const sizesOfFeed = () => sizesOf("BENCH_FEED_EVENTS", DEFAULT_EVENTS, LIMIT * (DEPTH_PAGES + 2));
/**
 * At the sizes after the first (the grown database) the OFFSET baseline of the last page is not run: it
 * reads the whole workspace (6.5 s a page at 1M, about ten times that at 10M, for warm-ups, repetitions, a
 * check and a plan). The OFFSET at 1,000 pages deep runs twice after one warm-up: it reads 30,000 rows
 * through the join at any size (0.2–0.6 s a page on a shared machine), and the planner may instead choose
 * to sort the whole workspace (it does on small ones), which grows with it.
 */
const OFFSET_DEEP_REPS_GROWN = 2;

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
  /** Unmeasured runs first (WARMUP_REPS unless given). */
  warmups?: number;
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

/** Which OFFSET baselines run, and how often (see OFFSET_DEEP_REPS_ABOVE_BASE). */
interface OffsetPlan {
  deepReps: number;
  deepWarmups: number;
  last: boolean;
}

const offsetPlanFor = (grown: boolean): OffsetPlan =>
  grown
    ? { deepReps: OFFSET_DEEP_REPS_GROWN, deepWarmups: 1, last: false }
    : { deepReps: REPS.offsetDeep, deepWarmups: WARMUP_REPS, last: true };

function cases(db: Database, kit: Kit, workspaceId: number, p: Positions, offset: OffsetPlan): ReadCase[] {
  const raw = async (at: Parameters<typeof rawPage>[2]) => (await rawPage(db, workspaceId, at)).map((r) => r.event.id);
  const all: ReadCase[] = [
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
      reps: offset.deepReps,
      warmups: offset.deepWarmups,
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
  return offset.last ? all : all.filter((c) => c.id !== "sql.offset.last");
}

/** The workspace's oldest page, read upwards from the bottom of its sequence and put newest first. */
async function oldestPage(db: Database, workspaceId: number): Promise<number[]> {
  const s = activitySequence;
  const rows = await db
    .select({ id: s.eventId })
    .from(s)
    .where(eq(s.workspaceId, String(workspaceId)))
    .orderBy(s.seq)
    .limit(LIMIT);
  return rows.map((r) => Number(r.id)).reverse();
}

/** Every case once per repetition, the order rotated each time, until each has its repetitions. */
async function measure(all: readonly ReadCase[]): Promise<Map<string, { ms: number[]; rows: number }>> {
  const results = new Map(all.map((c) => [c.id, { ms: [] as number[], rows: 0 }]));
  for (const c of all) for (let i = 0; i < (c.warmups ?? WARMUP_REPS); i++) await c.run();
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
  /**
   * The case's other statements that read the kit's tables (a date range first finds where it lies in the
   * sequence, and reads the entries far behind it apart): `executionMs` is the sum, the page query's included.
   */
  others: PlanSummary[];
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
  offset: OffsetPlan,
) {
  const recording = recordingDatabase(url);
  const own = new Map(make(recording.db, makeKit(recording.db), workspaceId, p, offset).map((c) => [c.id, c]));
  const plans: Plan[] = [];
  try {
    for (const c of all) {
      recording.take();
      await own.get(c.id)!.run();
      const sent = recording.take();
      const page = sent.find((s) => /order by/i.test(s.query) && s.query.includes('"activity_events"'));
      if (!page) throw new Error(`${c.id}: no page query seen`);
      const summary = await explain(recording.client, page);
      const others: PlanSummary[] = [];
      for (const statement of sent) {
        if (statement === page || !/order by/i.test(statement.query)) continue;
        if (!/"activity_(sequence|events)"/.test(statement.query)) continue;
        others.push(await explain(recording.client, statement));
      }
      plans.push({
        case: c.id,
        ...summary,
        executionMs: others.reduce((sum, o) => sum + o.executionMs, summary.executionMs),
        feedIndex: summary.text.some((l) => /Index (Only )?Scan( Backward)? using activity_sequence_pkey/.test(l)),
        others,
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

interface SizeResult {
  events: number;
  /** Seconds to seed (the first size) or to grow to this size from the one before. */
  writeSeconds: number;
  grown: boolean;
  sizes: Fixture["sizes"];
  offset: OffsetPlan;
  cases: CaseSummary[];
  plans: Plan[];
  walkMsPerPage: number;
  ratios: Record<string, number>;
  checks: Check[];
  /** The 1-minute load average before and after this size's timings: other work on the machine shows here. */
  load: { before: number; after: number };
}

/** Every case at one size of the workspace: checks, timings, plans, printed as they come. */
async function measureSize(
  context: SuiteContext,
  db: Database,
  fixture: Fixture,
  how: { writeSeconds: number; grownFrom: { events: number; records: number } | null },
): Promise<SizeResult> {
  const events = fixture.events;
  const ws = fixture.workspaceId;
  const kit = makeKit(db);
  const codec = createCursorCodec(SECRET);
  const scope = feedScope(String(ws), {});
  const deepOffset = DEPTH_PAGES * LIMIT;
  const lastOffset = events - LIMIT;
  const offset = offsetPlanFor(how.grownFrom !== null);
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
  const records = fixture.records;
  const written =
    how.grownFrom === null
      ? `seeded with INSERT ... SELECT generate_series (250,000 events a statement, made inside the server: no row
crosses the wire) in ${fixed(how.writeSeconds, 0)} s, then every event sequenced, VACUUM ANALYZE`
      : `grown in place from ${count(how.grownFrom.events)} events (the same database, measured just before) by INSERT ... SELECT
generate_series in ${fixed(how.writeSeconds, 0)} s: the ${count(events - how.grownFrom.events)} added spread over the same year, on ${count(
          records - how.grownFrom.records,
        )} new tasks (about as many events per task as before),
sequenced after the existing ones as the sequencer numbers later commits, then VACUUM ANALYZE`;
  const offsetNote = offset.last
    ? `Each case ${REPS.cheap} times (OFFSET ${offset.deepReps} at depth, ${REPS.offsetLast} at the last page) after ${WARMUP_REPS} warm-ups,`
    : `Each case ${REPS.cheap} times after ${WARMUP_REPS} warm-ups; OFFSET at depth ${offset.deepReps} times after ${offset.deepWarmups} (seconds a page if
the plan sorts the workspace); OFFSET at the last page NOT run once grown: it reads the whole workspace, ${fixed(events / how.grownFrom!.events, 0)}× the rows it read
at ${short(how.grownFrom!.events)}, and its warm-ups, repetitions, check and plan would take most of the run;`;

  console.log(`
Feed at ${count(events)} events: one workspace of ${count(events)} events (a second one of ${count(OTHER_EVENTS)} shares the table and indexes),
${written}. Times spread over a year, three events per millisecond timestamp (ties) in each batch written; ${ACTORS} actors;
actions 5% task.cancelled, 15% delete, 30% insert, 50% update; ${count(records)} tasks, about ${fixed(events / records, 0)} events each.
activity_events ${fixture.sizes.table}; indexes ${Object.entries(fixture.sizes.indexes)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}.
  kit.feed    createActivityKit(...).feed(workspace, ?limit=${LIMIT}&cursor=...): the head, the keyset page (joined
              to activity_sequence) and the items (one query for whether their records exist): 3 statements
  SQL keyset  the same page query by hand (drizzle), keyset after the same position: 1 statement
  SQL OFFSET  the same page query with OFFSET instead of a cursor: 1 statement
${offsetNote}
interleaved one repetition of each in turn; wall time in this process, over loopback, one connection at a time.
"× baseline" is this case's p50 over its baseline's p50.`);

  const all = cases(db, kit, ws, positions, offset);
  process.stderr.write(`  feed ${short(events)}: walking pages\n`);
  const walked = await walk(kit, ws, DEPTH_PAGES, positions.deepCursor);
  const deepIds = await all.find((c) => c.id === "deep")!.run();
  const offsetIds = await all.find((c) => c.id === "sql.offset.deep")!.run();
  const lastPage = await kit.feed(ws, new URLSearchParams({ limit: String(LIMIT), cursor: positions.lastCursor }));
  const lastIds = lastPage.items.map((i) => Number(i.id)).join();
  const offsetLast = all.find((c) => c.id === "sql.offset.last");
  const checks: Check[] = [
    ...walked.checks,
    {
      label: `the deep page by cursor and by OFFSET ${count(deepOffset)} hold the same ${LIMIT} events`,
      ok: deepIds.length === LIMIT && deepIds.join() === offsetIds.join(),
    },
    offsetLast
      ? {
          label: "the last page by cursor equals OFFSET's and has no next cursor",
          ok:
            lastPage.items.length === LIMIT &&
            lastIds === (await offsetLast.run()).join() &&
            lastPage.nextCursor === null,
        }
      : {
          label:
            "the last page by cursor holds the workspace's oldest events (read upwards by seq) and has no next cursor",
          ok:
            lastPage.items.length === LIMIT &&
            lastIds === (await oldestPage(db, ws)).join() &&
            lastPage.nextCursor === null,
        },
  ];

  process.stderr.write(`  feed ${short(events)}: measuring\n`);
  const loadBefore = loadavg()[0]!;
  const results = await measure(all);
  const loadAfter = loadavg()[0]!;
  const summaries = summarize(all, results);
  process.stderr.write(`  feed ${short(events)}: explaining\n`);
  const plans = await explainCases(context.databaseUrl, ws, all, cases, positions, offset);

  const s = new Map(summaries.map((x) => [x.id, x]));
  const ratio = (a: string, b: string) => (s.get(a)?.p50Ms ?? Number.NaN) / (s.get(b)?.p50Ms ?? Number.NaN);
  console.log(`\nLoad average (1 min) ${fixed(loadBefore, 2)} before the timings, ${fixed(loadAfter, 2)} after.\n`);
  printTable(summaries);
  console.log(`
  deep cursor page / first page        ${fixed(ratio("deep", "first"), 2)}×   (${count(DEPTH_PAGES)} pages in; the last page: ${fixed(ratio("last", "first"), 2)}×)
  OFFSET / keyset, same depth, SQL     ${fixed(ratio("sql.offset.deep", "sql.keyset.deep"), 1)}×   (last page: ${fixed(ratio("sql.offset.last", "sql.keyset.last"), 0)}×)
  OFFSET (SQL) / kit.feed by cursor    ${fixed(ratio("sql.offset.deep", "deep"), 1)}×   (last page: ${fixed(ratio("sql.offset.last", "last"), 0)}×)
  walking ${count(DEPTH_PAGES)} pages with kit.feed     ${fixed(walked.msPerPage, 2)} ms per page on average

Checks:
${checks.map((c) => `  ${mark(c.ok)} ${c.label}`).join("\n")}

Plans (EXPLAIN (ANALYZE, BUFFERS) of the page query each case sends, once, after the timings; "and:" its other
statements that read the kit's tables, whose time the server figure of the case includes):`);
  for (const plan of plans) {
    const label = all.find((c) => c.id === plan.case)!.label;
    const feedIndexNote =
      plan.case === "first" || plan.case === "deep" || plan.case === "last"
        ? `  ${mark(plan.feedIndex)} Index Scan on activity_sequence_pkey`
        : "";
    console.log(
      `  ${label}: ${fixed(plan.executionMs, 3)} ms, ${planNote(plan)}; ${plan.buffers || "no buffers line"}; indexes: ${plan.indexes.join(", ") || "none"}${feedIndexNote}`,
    );
    for (const line of planSketch(plan)) console.log(`      ${line}`);
    for (const other of plan.others) {
      console.log(
        `    and: ${fixed(other.executionMs, 3)} ms, ${planNote(other)}; ${other.buffers || "no buffers line"}; indexes: ${other.indexes.join(", ") || "none"}`,
      );
      for (const line of planSketch(other)) console.log(`      ${line}`);
    }
  }
  return {
    events,
    writeSeconds: how.writeSeconds,
    grown: how.grownFrom !== null,
    sizes: fixture.sizes,
    offset,
    cases: summaries,
    plans,
    walkMsPerPage: walked.msPerPage,
    ratios: {
      deepOverFirst: ratio("deep", "first"),
      lastOverFirst: ratio("last", "first"),
      offsetOverKeysetDeep: ratio("sql.offset.deep", "sql.keyset.deep"),
      offsetOverKeysetLast: ratio("sql.offset.last", "sql.keyset.last"),
      offsetOverFeedDeep: ratio("sql.offset.deep", "deep"),
    },
    checks,
    load: { before: loadBefore, after: loadAfter },
  };
}

/** A case's label without what differs between sizes (the record named is the newest event's at each size). */
const stable = (label: string) => label.replace(/record=task:\d+/, "record=task:… (the newest event's task)");

/** Each case's p50 and its page query's server time at every size, and the largest size over the smallest. */
function printScale(results: readonly SizeResult[]) {
  const sizes = results.map((r) => r.events);
  const [first] = results;
  if (!first) return;
  const value = (r: SizeResult, id: string, of: "p50" | "server") =>
    of === "p50"
      ? (r.cases.find((c) => c.id === id)?.p50Ms ?? Number.NaN)
      : (r.plans.find((p) => p.case === id)?.executionMs ?? Number.NaN);
  const skipped = (id: string) => results.filter((r) => !r.cases.some((c) => c.id === id)).map((r) => short(r.events));
  const rows: ScaleRow[] = [];
  for (const of of ["p50", "server"] as const) {
    for (const c of first.cases) {
      const missing = skipped(c.id);
      rows.push({
        label: of === "p50" ? stable(c.label) : `  server, EXPLAIN ANALYZE once: ${stable(c.label)}`,
        unit: of === "p50" ? "p50 ms" : "ms",
        values: results.map((r) => value(r, c.id, of)),
        decimals: 3,
        better: "lower",
        note:
          of === "p50" && missing.length
            ? `not run at ${missing.join(", ")} (reads the whole workspace; see above)`
            : undefined,
      });
    }
  }
  rows.push({
    label: "(the machine) load average, 1 min, before the timings",
    unit: "",
    values: results.map((r) => r.load.before),
    decimals: 2,
    better: "neither",
  });
  rows.push({
    label: `walking ${count(DEPTH_PAGES)} pages with kit.feed`,
    unit: "ms/page",
    values: results.map((r) => r.walkMsPerPage),
    decimals: 2,
    better: "lower",
  });
  console.log(`
Feed at ${sizes.map(count).join(" and ")} events, the same database grown between the measurements: each figure at each
size and the ratio ("flat": the larger within 1.5× of the smaller). Wall times share the machine with whatever
else runs (load average now ${loadavg()
    .map((l) => fixed(l, 2))
    .join(" ")}); the server times are one EXPLAIN ANALYZE each, the more stable figure.
`);
  console.log(formatScaleTable(sizes, rows));
}

export const feed: Suite = {
  name: "feed",
  description: "the read path at scale: feed pages among 1M events (and 10M), by cursor vs OFFSET, filtered",

  estimateSeconds() {
    const sizes = sizesOfFeed();
    const largest = sizes[sizes.length - 1]!;
    // Seeding or growing: about 45 s per million events; measuring: about 90 s at 1M (the OFFSET baselines).
    return 45 * (largest / DEFAULT_EVENTS) + 90 * sizes.length + 30;
  },

  async run(context: SuiteContext) {
    const sizes = sizesOfFeed();
    const handle = await openPostgres(context.databaseUrl, { max: 2 });
    try {
      const { db } = handle;
      process.stderr.write(`\nfeed: seeding ${count(sizes[0]!)} + ${count(OTHER_EVENTS)} events\n`);
      let fixture = await seedFeed(db, { events: sizes[0]!, label: "feed" });
      const results: SizeResult[] = [];
      for (const [i, events] of sizes.entries()) {
        let writeSeconds = fixture.seedSeconds;
        const grownFrom = i === 0 ? null : { events: fixture.events, records: fixture.records };
        if (i > 0) {
          process.stderr.write(`\nfeed: growing to ${count(events)} events\n`);
          const grown = await growFeed(db, fixture, events, "feed");
          writeSeconds = grown.growSeconds;
          fixture = grown;
        }
        results.push(await measureSize(context, db, fixture, { writeSeconds, grownFrom }));
      }
      if (results.length > 1) printScale(results);

      writeResults(context, "feed", {
        data: { sizes, otherEvents: OTHER_EVENTS, actors: ACTORS, recordsPerMillion: RECORDS },
        limit: LIMIT,
        depthPages: DEPTH_PAGES,
        reps: REPS,
        ...(results.length === 1 ? results[0] : {}),
        sizes: results,
      });
    } finally {
      await handle.close();
    }
  },
};
