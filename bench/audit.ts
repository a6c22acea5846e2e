/**
 * The audit side at scale, among a million events of one workspace:
 * 1. a record's history (`kit.history`) and its state at an instant (`kit.asOf`), against the same history
 *    found by JSONB containment on `changes`/`related` (what one would write without `refs` and its index);
 * 2. the export (`kit.exportItems` piped through `exportPieces`, what GET /api/audit/export streams),
 *    against building the whole export in memory first: throughput and the process's peak memory.
 */
import { loadavg } from "node:os";
import { sql } from "drizzle-orm";
import { createActivityKit } from "@/lib/activity";
import { type ExportFormat, exportPieces } from "@/lib/activity/export-format";
import type { ActivityItem } from "@/lib/activity/feed";
import { catalogue, trackedTables } from "@/lib/activity-kit";
import { type Database, openPostgres } from "@/lib/db/client";
import { activityEvents } from "@/lib/db/schema";
import { explain, type PlanSummary, planNote, planSketch, recordingDatabase } from "./lib/explain";
import { forceGc, sampleMemory } from "./lib/memory";
import { formatScaleTable, type ScaleRow, short, sizesOf } from "./lib/scale";
import { type Fixture, growFeed, SEED, seedFeed } from "./lib/seed";
import { summarizeLatencies } from "./lib/stats";
import { type Suite, type SuiteContext, writeResults } from "./lib/suite";
import { count, fixed, formatTable } from "./lib/table";

const SECRET = "bench-secret-0123456789";
/** Events of the measured workspace (BENCH_AUDIT_EVENTS overrides, for a quick run). */
const DEFAULT_EVENTS = 1_000_000;
/** Records whose history is read, in turn (spread over the workspace's tasks). */
const HISTORY_RECORDS = 200;
/** Of those, records that also appear in the `refs` of other events (comments on them), and how many each. */
const RELATED_RECORDS = 10;
const RELATED_EVENTS = 20;
/** Repetitions: the kit's reads, and the JSONB scans (a full scan of the table each). */
const REPS = { kit: 300, related: 100, asOf: 200, jsonb: 8 } as const;
/**
 * Once the database is grown (10M): the JSONB scan reads the whole table each time (2.4 s or more at 10M),
 * so it runs 3 times and the kit-against-JSONB check covers 2 tasks (1 also in refs) rather than 6.
 */
const REPS_GROWN = { ...REPS, jsonb: 3 } as const;
type Reps = typeof REPS | typeof REPS_GROWN;
const WARMUP_REPS = 2;
/** Export formats, streamed and in memory (BENCH_AUDIT_FORMATS=csv,ndjson,json adds json: about 50 s more). */
const DEFAULT_FORMATS: readonly ExportFormat[] = ["csv", "ndjson"];
/** Events of an unmeasured streamed export before the measured ones (JIT, caches). */
const EXPORT_WARMUP_EVENTS = 30_000;
const SAMPLE_MS = 50;
/** The in-memory baseline stops collecting items when the heap reaches this share of V8's heap limit. */
const HEAP_GUARD = 0.6;
/** ... and holds at most this share of V8's longest string (about 512 MiB of characters). */
const STRING_GUARD = 0.9;
const MAX_STRING_LENGTH = 536_870_888;
const DAY_MS = 24 * 3600_000;

/**
 * How many events the streamed export writes once the database is grown: BENCH_AUDIT_EXPORT_EVENTS (a
 * number, or "all"); by default as many as the whole export at the first size, the newest of the grown
 * workspace, so the two runs write the same amount from a table 10× the size (a whole 10M export takes
 * 3–4 minutes on an idle machine and about an hour on a shared one).
 */
const grownExportLimit = (firstTotal: number): number => {
  const raw = process.env.BENCH_AUDIT_EXPORT_EVENTS;
  if (raw === undefined) return firstTotal;
  if (raw === "all") return Number.POSITIVE_INFINITY;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`BENCH_AUDIT_EXPORT_EVENTS must be a whole number or "all"`);
  return n;
};

/**
 * The sizes to measure: BENCH_AUDIT_EVENTS=10000000 measures at 1M, grows the same database to 10M (the
 * records whose history is read keep their events: the tasks grow with the events) and measures again.
 */
const sizesOfAudit = () => sizesOf("BENCH_AUDIT_EVENTS", DEFAULT_EVENTS, 10_000);

const formatsOf = (): ExportFormat[] => {
  const list = (process.env.BENCH_AUDIT_FORMATS ?? DEFAULT_FORMATS.join(",")).split(",").map((f) => f.trim());
  for (const f of list) if (!["csv", "ndjson", "json"].includes(f)) throw new Error(`unknown export format "${f}"`);
  return list as ExportFormat[];
};

const makeKit = (db: Database) => createActivityKit({ db: () => db, catalogue, tables: trackedTables, secret: SECRET });
type Kit = ReturnType<typeof makeKit>;

/* ---------------------------------------------------------------- the data */

/**
 * Comments on the first RELATED_RECORDS measured tasks: events whose own record is a comment and that name
 * the task only in `related`/`refs` (as the capture writes them), spread over the year.
 */
async function insertRelated(db: Database, workspaceId: number, t0: Date, tasks: readonly number[]) {
  const related = tasks.slice(0, RELATED_RECORDS);
  await db.execute(sql`INSERT INTO activity_events (workspace_id, occurred_at, actor_type, actor_id, actor_label,
                                            action, subject, record_type, record_id, related, refs, changes)
    SELECT ${String(workspaceId)}::text,
           date_trunc('milliseconds', ${t0.toISOString()}::timestamptz - (k * 17 + r) * interval '1 day'),
           'user', '1', 'User 1', 'insert', 'comment on task Task ' || t.task, 'comment', (9000000 + r * 100 + k)::text,
           jsonb_build_array(jsonb_build_object('type', 'task', 'id', t.task::text)),
           ARRAY['task:' || t.task],
           jsonb_build_array(jsonb_build_object('type', 'comment', 'id', (9000000 + r * 100 + k)::text, 'op', 'insert',
             'row', jsonb_build_object('id', 9000000 + r * 100 + k, 'task_id', t.task, 'body', 'A comment')))
      FROM unnest(${`{${related.join(",")}}`}::int[]) WITH ORDINALITY AS t(task, r),
           generate_series(1, ${RELATED_EVENTS}::int) AS k`);
}

/** HISTORY_RECORDS task ids spread over the workspace's tasks. */
const historyRecords = (firstTask: number) =>
  Array.from({ length: HISTORY_RECORDS }, (_, i) => firstTask + ((i * 7_919 + 13) % SEED.records));

/* ---------------------------------------------------------------- part 1: history */

interface ReadCase {
  id: string;
  label: string;
  reps: number;
  baseline?: string;
  /** Runs once, the `rep`-th time; resolves to how many rows it read. */
  run(rep: number): Promise<number>;
}

/** The kit's history query, by hand, with JSONB containment on the change list and the related list instead. */
function jsonbHistory(db: Database, workspaceId: number, id: number) {
  const e = activityEvents;
  const ref = JSON.stringify([{ type: "task", id: String(id) }]);
  return db
    .select()
    .from(e)
    .where(
      sql`${e.workspaceId} = ${String(workspaceId)} and (${e.changes} @> ${ref}::jsonb or ${e.related} @> ${ref}::jsonb)`,
    )
    .orderBy(e.occurredAt, e.id)
    .limit(10_000);
}

type AsOfStatus = Awaited<ReturnType<Kit["asOf"]>>["status"];
type StatusTally = Record<string, Record<AsOfStatus, number>>;

function historyCases(
  db: Database,
  kit: Kit,
  fixture: Fixture,
  records: readonly number[],
  tally: StatusTally,
  reps: Reps,
): ReadCase[] {
  const ws = fixture.workspaceId;
  const task = (id: number) => ({ type: "task", id: String(id) });
  const plain = records.slice(RELATED_RECORDS);
  const related = records.slice(0, RELATED_RECORDS);
  const sixMonthsAgo = new Date(fixture.t0.getTime() - 182 * DAY_MS);
  const beforeAll = new Date(fixture.t0.getTime() - 400 * DAY_MS);
  const at = <T>(list: readonly T[], rep: number) => list[rep % list.length]!;
  const asOf = async (id: string, rep: number, when: Date) => {
    const state = await kit.asOf(task(at(plain, rep)), when, { workspaceId: ws });
    tally[id] ??= { exists: 0, deleted: 0, not_yet: 0 };
    tally[id][state.status]++;
    return state.status === "exists" ? 1 : 0;
  };
  return [
    {
      id: "history",
      label: "kit.history(task)",
      reps: reps.kit,
      run: async (rep) => (await kit.history(task(at(plain, rep)), { workspaceId: ws })).length,
    },
    {
      id: "history.related",
      label: `kit.history(task also in refs, +${RELATED_EVENTS})`,
      reps: reps.related,
      run: async (rep) => (await kit.history(task(at(related, rep)), { workspaceId: ws })).length,
    },
    {
      id: "asOf.mid",
      label: "kit.asOf(task, 6 months ago)",
      reps: reps.asOf,
      baseline: "history",
      run: (rep) => asOf("asOf.mid", rep, sixMonthsAgo),
    },
    {
      id: "asOf.before",
      label: "kit.asOf(task, before its first event)",
      reps: reps.asOf,
      baseline: "history",
      run: (rep) => asOf("asOf.before", rep, beforeAll),
    },
    {
      id: "jsonb",
      label: "SQL: changes @> / related @> (no index)",
      reps: reps.jsonb,
      baseline: "history",
      run: async (rep) => (await jsonbHistory(db, ws, at(records, rep * 37))).length,
    },
  ];
}

/** Every case once per repetition, the order rotated each time, until each has its repetitions. */
async function measure(all: readonly ReadCase[]): Promise<Map<string, { ms: number[]; rows: number[] }>> {
  const results = new Map(all.map((c) => [c.id, { ms: [] as number[], rows: [] as number[] }]));
  for (const c of all) for (let i = 0; i < Math.min(WARMUP_REPS, c.reps); i++) await c.run(i + 1_000);
  const most = Math.max(...all.map((c) => c.reps));
  for (let rep = 0; rep < most; rep++) {
    const offset = rep % all.length;
    for (const c of [...all.slice(offset), ...all.slice(0, offset)]) {
      if (rep >= c.reps) continue;
      const t0 = performance.now();
      const rows = await c.run(rep);
      const result = results.get(c.id)!;
      result.ms.push(performance.now() - t0);
      result.rows.push(rows);
    }
  }
  return results;
}

interface Plan extends PlanSummary {
  label: string;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements a call really sends: a connection that records what
 * postgres.js sends runs it once, and each of its statements on activity_events is explained.
 */
async function explainCalls(
  url: string,
  calls: { label: string; run: (db: Database, kit: Kit) => Promise<unknown> }[],
) {
  const recording = recordingDatabase(url);
  const kit = makeKit(recording.db);
  const plans: Plan[] = [];
  try {
    for (const call of calls) {
      recording.take();
      await call.run(recording.db, kit);
      const statements = recording.take().filter((s) => s.query.includes('"activity_events"'));
      if (statements.length === 0) throw new Error(`${call.label}: no query on activity_events seen`);
      for (const [i, statement] of statements.entries()) {
        plans.push({
          label: statements.length > 1 ? `${call.label}, statement ${i + 1} of ${statements.length}` : call.label,
          ...(await explain(recording.client, statement)),
        });
      }
    }
  } finally {
    await recording.client.end({ timeout: 5 });
  }
  return plans;
}

/** Which index does what: the plan's nodes and their conditions. */
const AUDIT_PLAN_LINES = /->|Rows Removed by Filter|Index Cond|Recheck Cond|Filter:/;

/* ---------------------------------------------------------------- part 2: export */

interface Peak {
  rss: number;
  heapUsed: number;
}

/** Samples rss and heapUsed every SAMPLE_MS (and whenever `now()` is called); keeps the highest of each. */
function memorySampler() {
  const peak: Peak = { rss: 0, heapUsed: 0 };
  let samples = 0;
  const now = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
    samples++;
  };
  const timer = setInterval(now, SAMPLE_MS);
  now();
  return {
    now,
    stop() {
      clearInterval(timer);
      now();
      return { peak, samples };
    },
  };
}

interface ExportRun {
  mode: "stream" | "memory";
  format: ExportFormat;
  events: number;
  bytes: number;
  seconds: number;
  eventsPerSec: number;
  mbPerSec: number;
  /** Peak minus the value before the run (after a full collection), in bytes. */
  peakRssDelta: number;
  peakHeapDelta: number;
  samples: number;
  /** Why the in-memory run holds fewer events than the workspace has, if it does. */
  capped: string | null;
}

const MB = 1e6;
const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

async function measured(
  mode: ExportRun["mode"],
  format: ExportFormat,
  gc: (() => void) | null,
  body: (sampler: ReturnType<typeof memorySampler>) => Promise<{ events: number; bytes: number; capped?: string }>,
): Promise<ExportRun> {
  const before = sampleMemory(gc);
  const sampler = memorySampler();
  const t0 = performance.now();
  const result = await body(sampler).finally(() => sampler.stop());
  const seconds = (performance.now() - t0) / 1000;
  const { peak, samples } = sampler.stop();
  return {
    mode,
    format,
    events: result.events,
    bytes: result.bytes,
    seconds,
    eventsPerSec: result.events / seconds,
    mbPerSec: result.bytes / MB / seconds,
    peakRssDelta: peak.rss - before.rss,
    peakHeapDelta: peak.heapUsed - before.heapUsed,
    samples,
    capped: result.capped ?? null,
  };
}

/** What GET /api/audit/export does, less HTTP: header, every batch as it comes, footer; only bytes counted. */
function streamExport(
  kit: Kit,
  workspaceId: number,
  format: ExportFormat,
  gc: (() => void) | null,
  limit = Number.POSITIVE_INFINITY,
) {
  return measured("stream", format, gc, async (sampler) => {
    const pieces = exportPieces(format);
    let bytes = byteLength(pieces.header);
    let events = 0;
    for await (const batch of kit.exportItems(workspaceId, new URLSearchParams())) {
      bytes += byteLength(pieces.batch(batch));
      events += batch.length;
      sampler.now();
      // Leaving the loop ends the export's generator, as a client closing the download would.
      if (events >= limit) break;
    }
    bytes += byteLength(pieces.footer);
    return { events, bytes };
  });
}

/**
 * The baseline: every item collected into one array, then the whole text built at once (the same
 * exportPieces, one batch of everything), then its bytes counted. Stops collecting at `limit` events, or
 * earlier when the heap nears V8's limit.
 */
function memoryExport(kit: Kit, workspaceId: number, format: ExportFormat, limit: number, gc: (() => void) | null) {
  return measured("memory", format, gc, async (sampler) => {
    const { heap_size_limit } = (await import("node:v8")).getHeapStatistics();
    const all: ActivityItem[] = [];
    let capped: string | undefined;
    for await (const batch of kit.exportItems(workspaceId, new URLSearchParams())) {
      for (const item of batch) all.push(item);
      sampler.now();
      if (all.length >= limit) break;
      if (process.memoryUsage().heapUsed > HEAP_GUARD * heap_size_limit) {
        capped = `heap at ${fixed(HEAP_GUARD * 100, 0)}% of V8's limit after ${count(all.length)} events`;
        break;
      }
    }
    if (all.length > limit) all.length = limit;
    const pieces = exportPieces(format);
    const text = pieces.header + pieces.batch(all) + pieces.footer;
    sampler.now();
    const bytes = byteLength(text);
    sampler.now();
    return { events: all.length, bytes, capped };
  });
}

/* ---------------------------------------------------------------- the suite */

interface CaseSummary {
  id: string;
  label: string;
  reps: number;
  rowsMin: number;
  rowsMax: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  baseline: string | null;
  /** This case's p50 over its baseline's p50, both measured interleaved in this run. */
  ratio: number;
}

const mark = (ok: boolean) => (ok ? "✓" : "✗");
const mb = (bytes: number) => fixed(bytes / MB, 1);

interface SizeResult {
  events: number;
  workspaceEvents: number;
  records: number;
  writeSeconds: number;
  grown: boolean;
  sizes: Fixture["sizes"];
  history: { reps: Record<string, number>; cases: CaseSummary[]; jsonbOverHistory: number; plans: Plan[] };
  export: { formats: ExportFormat[]; inMemory: boolean; runs: ExportRun[]; ratios: unknown[] };
  checks: { label: string; ok: boolean }[];
  load: { before: number; after: number };
}

/** Both parts at one size of the workspace, printed as they come. */
async function measureSize(
  context: SuiteContext,
  db: Database,
  fixture: Fixture,
  records: readonly number[],
  how: {
    formats: ExportFormat[];
    gc: (() => void) | null;
    writeSeconds: number;
    grownFrom: { events: number; records: number } | null;
    /** Events the streamed export stops after (all when infinite). */
    exportLimit: number;
  },
): Promise<SizeResult> {
  const { formats, gc } = how;
  const events = fixture.events;
  const grown = how.grownFrom !== null;
  const reps = grown ? REPS_GROWN : REPS;
  const loadBefore = loadavg()[0]!;
  const ws = fixture.workspaceId;
  const kit = makeKit(db);
  const total = events + RELATED_RECORDS * RELATED_EVENTS;
  const exported = Math.min(total, how.exportLimit);

  console.log(`
Audit at ${count(events)} events: one workspace of ${count(events)} events as in the feed suite (${count(fixture.records)} tasks, about ${fixed(events / fixture.records, 0)} events
each; a second workspace of ${count(SEED.otherEvents)} shares the table), plus ${RELATED_RECORDS} tasks each named in ${RELATED_EVENTS} comment events' refs/related
only (${count(total)} events in the workspace). ${
    how.grownFrom
      ? `Grown in place from ${count(how.grownFrom.events)} events (the same database, measured just before) in ${fixed(how.writeSeconds, 0)} s:
the events added spread over the same year, on ${count(fixture.records - how.grownFrom.records)} new tasks, so the records whose history is read keep
their events and the table around them grows; sequenced after the existing ones, then VACUUM ANALYZE.`
      : `Seeded with INSERT ... SELECT generate_series (made inside the server, 250,000 events a statement) in ${fixed(how.writeSeconds, 0)} s.`
  } activity_events ${fixture.sizes.table}; indexes ${Object.entries(fixture.sizes.indexes)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}.

1. A record's history. kit.history = createActivityKit(...).history({ type: "task", id }, { workspaceId }) over
   ${HISTORY_RECORDS - RELATED_RECORDS} tasks in turn (${RELATED_RECORDS} others for "also in refs"); kit.asOf walks back from the current row. Baseline:
   the same rows by JSONB containment, changes @> '[{"type":"task","id":…}]' or related @> (same), no index on either.
   Each case ${reps.kit}/${reps.related}/${reps.asOf} times (JSONB ${reps.jsonb}) after ${WARMUP_REPS} warm-ups, interleaved; wall time in this process
   over loopback, one connection at a time. "× baseline" is this case's p50 over the baseline's p50.`);

  const tally: StatusTally = {};
  const all = historyCases(db, kit, fixture, records, tally, reps);
  const task = (id: number) => ({ type: "task", id: String(id) });
  // The baseline finds the same rows as the kit (own events and those naming the record).
  const same: boolean[] = [];
  const compared = grown ? 1 : 3;
  for (const id of [...records.slice(0, compared), ...records.slice(RELATED_RECORDS, RELATED_RECORDS + compared)]) {
    const a = (await kit.history(task(id), { workspaceId: ws })).map((r) => r.id).join();
    const b = (await jsonbHistory(db, ws, id)).map((r) => r.id).join();
    same.push(a === b && a.length > 0);
  }
  const relatedCount = (await kit.history(task(records[0]!), { workspaceId: ws })).filter(
    (r) => r.recordType === "comment",
  ).length;

  process.stderr.write("  audit: measuring history\n");
  const results = await measure(all);
  const p50 = (id: string) => summarizeLatencies(Float64Array.from(results.get(id)!.ms)).p50;
  const summaries: CaseSummary[] = all.map((c) => {
    const r = summarizeLatencies(Float64Array.from(results.get(c.id)!.ms));
    const rows = results.get(c.id)!.rows;
    return {
      id: c.id,
      label: c.label,
      reps: r.count,
      rowsMin: Math.min(...rows),
      rowsMax: Math.max(...rows),
      p50Ms: r.p50,
      p99Ms: r.p99,
      maxMs: r.max,
      baseline: c.baseline ?? null,
      ratio: c.baseline ? r.p50 / p50(c.baseline) : Number.NaN,
    };
  });
  const byId = new Map(summaries.map((s) => [s.id, s]));
  console.log("");
  console.log(
    formatTable(
      ["case", "reps", "rows", "p50 ms", "p99 ms", "max ms", "× baseline", "baseline"],
      summaries.map((s) => [
        s.label,
        count(s.reps),
        s.id.startsWith("asOf")
          ? "state"
          : s.rowsMin === s.rowsMax
            ? count(s.rowsMin)
            : `${count(s.rowsMin)}–${count(s.rowsMax)}`,
        fixed(s.p50Ms, 3),
        fixed(s.p99Ms, 3),
        fixed(s.maxMs, 3),
        s.baseline ? fixed(s.ratio, 2) : "",
        s.baseline ? (byId.get(s.baseline)?.label ?? s.baseline) : "",
      ]),
    ),
  );
  const jsonbOverHistory = p50("jsonb") / p50("history");
  console.log(`
  JSONB containment scan / kit.history       ${fixed(jsonbOverHistory, 0)}×   (p50 ${fixed(p50("jsonb"), 1)} ms vs ${fixed(p50("history"), 3)} ms)
  JSONB scan / kit.history, record in refs   ${fixed(p50("jsonb") / p50("history.related"), 0)}×
  kit.asOf states found (warm-ups included; the seeded actions are random, so a record may be "deleted" at any time):
${Object.entries(tally)
  .map(([id, t]) => `    ${byId.get(id)?.label}: exists ${t.exists}, deleted ${t.deleted}, not_yet ${t.not_yet}`)
  .join("\n")}`);

  process.stderr.write("  audit: explaining\n");
  const sample = records[RELATED_RECORDS]!;
  // A record that did not exist 6 months ago: asOf then also reads the last event at or before that instant.
  const sixMonthsAgo = new Date(fixture.t0.getTime() - 182 * DAY_MS);
  let absent = sample;
  for (const id of records.slice(RELATED_RECORDS)) {
    if ((await kit.asOf(task(id), sixMonthsAgo, { workspaceId: ws })).status !== "exists") {
      absent = id;
      break;
    }
  }
  const plans = await explainCalls(context.databaseUrl, [
    { label: "kit.history", run: (_d, k) => k.history(task(sample), { workspaceId: ws }) },
    {
      label: "kit.asOf, before its first event",
      run: (_d, k) => k.asOf(task(sample), new Date(fixture.t0.getTime() - 400 * DAY_MS), { workspaceId: ws }),
    },
    {
      label: "kit.asOf, 6 months ago, a record absent then",
      run: (_d, k) => k.asOf(task(absent), sixMonthsAgo, { workspaceId: ws }),
    },
    { label: "JSONB baseline", run: (d) => jsonbHistory(d, ws, sample) },
  ]);
  const historyPlan = plans.find((p) => p.label === "kit.history")!;
  // On the partitioned table each month's copy of an index has a name of its own (activity_events_p202612_refs_idx,
  // activity_events_p202612_workspace_id_record_type_record_id__idx, ...).
  const usesIndex = (parent: RegExp) => historyPlan.indexes.some((name) => parent.test(name));
  const historyIndexed =
    usesIndex(/^activity_events(?:_p\d{6}|_default)?_(?:record_idx|workspace_id_record_type_record_id_\w*idx)$/) &&
    usesIndex(/^activity_events(?:_p\d{6}|_default)?_refs_idx$/);
  console.log("\nPlans (EXPLAIN (ANALYZE, BUFFERS) of the statements each call sends, once, after the timings):");
  for (const plan of plans) {
    console.log(
      `  ${plan.label}: ${fixed(plan.executionMs, 3)} ms, ${planNote(plan)}; ${plan.buffers || "no buffers line"}; indexes: ${plan.indexes.join(", ") || "none"}`,
    );
    for (const line of planSketch(plan, AUDIT_PLAN_LINES)) console.log(`      ${line}`);
  }

  const checks = [
    {
      label: `kit.history and the JSONB scan return the same events for ${same.length} tasks (${compared} also in refs)`,
      ok: same.every(Boolean),
    },
    {
      label: `kit.history of a task also in refs includes its ${RELATED_EVENTS} comment events (found ${relatedCount})`,
      ok: relatedCount === RELATED_EVENTS,
    },
    {
      label: "kit.history's plan uses activity_events_record_idx and activity_events_refs_idx",
      ok: historyIndexed,
    },
  ];

  /* ------------------------------------------------------------ export */
  console.log(`
2. Export of ${
    exported < total
      ? `the newest ${count(exported)} (in batches of 1,000: the first whole batch past that) of the workspace's ${count(total)} events (BENCH_AUDIT_EXPORT_EVENTS
   sets how many once grown; "all" exports everything)`
      : `the workspace's ${count(total)} events`
  }, in this process: kit.exportItems(workspace, no filters) (batches of
   1,000 by keyset, each with its records' existence) piped through exportPieces(format) (header, batch, footer)
   into a sink that counts UTF-8 bytes and keeps nothing. This is the pipeline of GET /api/audit/export without its
   HTTP layer (no ReadableStream, TextEncoder, Next or socket). Baseline: every item collected into one array first,
   then the whole text built at once (the same exportPieces), then counted${
     grown
       ? ` — NOT run once grown: it stops near 1M events anyway (a
   string's length, the heap) and would repeat the 1M figure`
       : ""
   }. Memory: process.memoryUsage() sampled
   every ${SAMPLE_MS} ms and after every batch; peak minus the value before the run (after a full GC${gc ? "" : " — unavailable here"}).
   One run each after an unmeasured warm-up of ${count(EXPORT_WARMUP_EVENTS)} events, streamed runs first; formats ${formats.join(", ")}.`);
  process.stderr.write("  audit: export, warm-up\n");
  let warm = 0;
  for await (const batch of kit.exportItems(ws, new URLSearchParams())) {
    for (const format of formats) exportPieces(format).batch(batch);
    warm += batch.length;
    if (warm >= EXPORT_WARMUP_EVENTS) break;
  }
  process.stderr.write("  audit: export, streamed\n");
  const runs: ExportRun[] = [];
  for (const format of formats) {
    const run = await streamExport(kit, ws, format, gc, how.exportLimit);
    runs.push(run);
    process.stderr.write(`    stream ${format}: ${fixed(run.seconds, 1)} s\n`);
  }
  if (!grown) process.stderr.write("  audit: export, in memory\n");
  for (const format of grown ? [] : formats) {
    const streamed = runs.find((r) => r.format === format)!;
    // A JavaScript string holds at most ~512 Mi characters: cap the events so the whole text fits.
    const perEvent = streamed.bytes / Math.max(1, streamed.events);
    const fit = Math.floor((STRING_GUARD * MAX_STRING_LENGTH) / perEvent);
    const limit = Math.min(total, fit);
    const run = await memoryExport(kit, ws, format, limit, gc);
    if (!run.capped && run.events < total) {
      run.capped = `the whole text must fit one string (< ${mb(MAX_STRING_LENGTH)} M characters): capped at ${count(run.events)}`;
    }
    runs.push(run);
    process.stderr.write(`    memory ${format}: ${fixed(run.seconds, 1)} s\n`);
    gc?.();
  }

  console.log("");
  console.log(
    formatTable(
      ["export", "events", "MB out", "seconds", "events/s", "MB/s", "peak RSS +MB", "peak heap +MB"],
      runs.map((r) => [
        `${r.mode === "stream" ? "streamed" : "in memory"}, ${r.format}`,
        count(r.events),
        mb(r.bytes),
        fixed(r.seconds, 1),
        count(r.eventsPerSec),
        fixed(r.mbPerSec, 1),
        mb(r.peakRssDelta),
        mb(r.peakHeapDelta),
      ]),
    ),
  );
  const ratios = (grown ? [] : formats).map((format) => {
    const s = runs.find((r) => r.mode === "stream" && r.format === format)!;
    const m = runs.find((r) => r.mode === "memory" && r.format === format)!;
    return {
      format,
      streamEvents: s.events,
      memoryEvents: m.events,
      capped: m.capped,
      peakRssStreamOverMemory: s.peakRssDelta / m.peakRssDelta,
      peakHeapStreamOverMemory: s.peakHeapDelta / m.peakHeapDelta,
      throughputStreamOverMemory: s.eventsPerSec / m.eventsPerSec,
    };
  });
  if (ratios.length) console.log("");
  if (ratios.length)
    console.log(
      formatTable(
        ["format", "peak RSS stream/memory", "peak heap stream/memory", "events/s stream/memory", "baseline events"],
        ratios.map((r) => [
          r.format,
          fixed(r.peakRssStreamOverMemory, 3),
          fixed(r.peakHeapStreamOverMemory, 3),
          fixed(r.throughputStreamOverMemory, 2),
          `${count(r.memoryEvents)}${r.capped ? " (capped)" : ""}`,
        ]),
      ),
    );
  for (const r of ratios) if (r.capped) console.log(`  ${r.format} baseline capped: ${r.capped}`);
  for (const format of formats) {
    const s = runs.find((r) => r.mode === "stream" && r.format === format)!;
    checks.push({
      label:
        exported < total
          ? `streamed ${format} export delivered the ${count(exported)} events it was asked for (${count(s.events)}, whole batches)`
          : `streamed ${format} export delivered all ${count(total)} events`,
      ok: exported < total ? s.events >= exported && s.events < exported + 1_000 : s.events === total,
    });
  }
  console.log(`\nChecks:\n${checks.map((c) => `  ${mark(c.ok)} ${c.label}`).join("\n")}`);

  return {
    events,
    workspaceEvents: total,
    records: fixture.records,
    writeSeconds: how.writeSeconds,
    grown,
    sizes: fixture.sizes,
    history: { reps, cases: summaries, jsonbOverHistory, plans },
    export: { formats, inMemory: !grown, runs, ratios },
    checks,
    load: { before: loadBefore, after: loadavg()[0]! },
  };
}

/** A record's history and the export at every size, and the largest size over the smallest. */
function printScale(results: readonly SizeResult[]) {
  const sizes = results.map((r) => r.events);
  const [first] = results;
  if (!first) return;
  const rows: ScaleRow[] = [];
  for (const c of first.history.cases) {
    rows.push({
      label: c.label,
      unit: "p50 ms",
      values: results.map((r) => r.history.cases.find((x) => x.id === c.id)?.p50Ms ?? Number.NaN),
      decimals: 3,
      better: "lower",
    });
  }
  for (const c of first.history.cases) {
    if (!c.id.startsWith("history")) continue;
    rows.push({
      label: `  rows read: ${c.label}`,
      unit: "rows",
      values: results.map((r) => {
        const x = r.history.cases.find((y) => y.id === c.id);
        return x ? (x.rowsMin + x.rowsMax) / 2 : Number.NaN;
      }),
      decimals: 1,
      better: "neither",
    });
  }
  for (const p of first.history.plans) {
    rows.push({
      label: `  server, EXPLAIN ANALYZE once: ${p.label}`,
      unit: "ms",
      values: results.map((r) => r.history.plans.find((x) => x.label === p.label)?.executionMs ?? Number.NaN),
      decimals: 3,
      better: "lower",
    });
  }
  const streamed = (r: SizeResult, format: string) =>
    r.export.runs.find((x) => x.mode === "stream" && x.format === format);
  for (const format of first.export.formats) {
    const figure = (
      label: string,
      unit: string,
      decimals: number,
      better: ScaleRow["better"],
      f: (x: ExportRun) => number,
    ) =>
      rows.push({
        label: `streamed ${format} export: ${label}`,
        unit,
        values: results.map((r) => {
          const x = streamed(r, format);
          return x ? f(x) : Number.NaN;
        }),
        decimals,
        better,
      });
    figure("events", "events", 0, "neither", (x) => x.events);
    figure("throughput", "events/s", 0, "higher", (x) => x.eventsPerSec);
    figure("exporter's peak RSS growth", "MB", 1, "lower", (x) => x.peakRssDelta / MB);
    figure("exporter's peak heap growth", "MB", 1, "lower", (x) => x.peakHeapDelta / MB);
  }
  rows.push({
    label: "(the machine) load average, 1 min, when the size's measuring began",
    unit: "",
    values: results.map((r) => r.load.before),
    decimals: 2,
    better: "neither",
  });
  console.log(`
Audit at ${sizes.map(count).join(" and ")} events, the same database grown between the measurements: each figure at each
size and the ratio ("flat": the larger within 1.5× of the smaller; for a throughput, its inverse). A record's history
is as long at every size (the tasks grow with the events), so its ratio is the cost of finding it among more
events; the export's throughput and memory are what should stay flat (the events it wrote are in its rows).
The in-memory export baseline runs at ${short(sizes[0]!)} only. Load average now ${loadavg()
    .map((l) => fixed(l, 2))
    .join(" ")}.
`);
  console.log(formatScaleTable(sizes, rows));
}

export const audit: Suite = {
  name: "audit",
  description: "history/asOf of one record among 1M events (and 10M) vs a JSONB scan; streamed export vs in memory",

  estimateSeconds() {
    const sizes = sizesOfAudit();
    const largest = sizes[sizes.length - 1]! / DEFAULT_EVENTS;
    // Seeding or growing about 45 s per million; the streamed exports 20 s per million and format; the
    // in-memory ones at the first size only.
    return (
      40 * sizes.length +
      largest * 45 +
      (sizes.reduce((a, n) => a + n, 0) / DEFAULT_EVENTS) * 20 * formatsOf().length +
      25 * formatsOf().length
    );
  },

  async run(context: SuiteContext) {
    const sizes = sizesOfAudit();
    const formats = formatsOf();
    const gc = forceGc();
    const handle = await openPostgres(context.databaseUrl, { max: 2 });
    try {
      const { db } = handle;
      process.stderr.write(`\naudit: seeding ${count(sizes[0]!)} + ${count(SEED.otherEvents)} events\n`);
      let records: number[] = [];
      let fixture = await seedFeed(db, {
        events: sizes[0]!,
        label: "audit",
        workspace: { name: "Bench audit", slug: "bench-audit" },
        extra: async (d, f) => {
          records = historyRecords(f.firstTask);
          await insertRelated(d, f.workspaceId, f.t0, records);
        },
      });
      const results: SizeResult[] = [];
      for (const [i, events] of sizes.entries()) {
        let writeSeconds = fixture.seedSeconds;
        const grownFrom = i === 0 ? null : { events: fixture.events, records: fixture.records };
        if (i > 0) {
          process.stderr.write(`\naudit: growing to ${count(events)} events\n`);
          const grownFixture = await growFeed(db, fixture, events, "audit");
          writeSeconds = grownFixture.growSeconds;
          fixture = grownFixture;
        }
        const firstTotal = sizes[0]! + RELATED_RECORDS * RELATED_EVENTS;
        const exportLimit = i === 0 ? Number.POSITIVE_INFINITY : grownExportLimit(firstTotal);
        results.push(
          await measureSize(context, db, fixture, records, { formats, gc, writeSeconds, grownFrom, exportLimit }),
        );
      }
      if (results.length > 1) printScale(results);

      writeResults(context, "audit", {
        data: {
          sizes,
          otherEvents: SEED.otherEvents,
          recordsPerMillion: SEED.records,
          relatedRecords: RELATED_RECORDS,
          relatedEventsEach: RELATED_EVENTS,
        },
        ...(results.length === 1 ? results[0] : {}),
        sizes: results,
      });
    } finally {
      await handle.close();
    }
  },
};
