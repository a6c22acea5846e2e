/**
 * The live stream: how soon a committed event reaches a subscriber of the kit's live hub (the sequencer's
 * tick, its one notification, the hub's read and fan-out), whether running the hub costs the writers
 * anything, and what a thousand subscribers on one hub cost in memory and delivery time. The hub is the
 * kit's own (`createLiveHub`, as `lib/activity-kit.ts` builds it); the SSE/HTTP layer is not included.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import {
  type Actor,
  createActivityKit,
  createLiveHub,
  type LiveHub,
  sequenceOnce,
  startSequencer,
} from "@/lib/activity";
import { unsealedWorkspaces } from "@/lib/activity/seal";
import { readHead } from "@/lib/activity/sequencer";
import { verifyChain } from "@/lib/activity/verify";
import { catalogue, trackedTables } from "@/lib/activity-kit";
import { type Database, type DbHandle, openPostgres, rowsOf } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import { tasks } from "@/lib/db/schema";
import { forceGc, type MemorySample, sampleMemory } from "./lib/memory";
import { type RoundResult, runRounds } from "./lib/rounds";
import { withParameters } from "./lib/server";
import { median, summarizeLatencies } from "./lib/stats";
import { COMMIT_MODES, type Suite, type SuiteContext, writeResults } from "./lib/suite";
import { count, fixed, formatTable } from "./lib/table";

const SECRET = "bench-secret-0123456789";
/** (a) Events written one at a time, one started every PACE_MS (or as soon as the previous one returns). */
const LATENCY_EVENTS = 1_000;
const LATENCY_WARMUP = 20;
const PACE_MS = 5;
/** (a) The polling client it is compared with: a tick every POLL_MS, POLL_CLIENTS phases spread evenly. */
const POLL_MS = 5_000;
const POLL_CLIENTS = 100;
/** (c) Subscriber counts, the first the baseline; events per burst, their writers; every 10th a cancel. */
const FANOUT_SUBSCRIBERS = [1, 100, 1_000] as const;
const FANOUT_EVENTS = 200;
const FANOUT_WRITERS = 4;
const CANCEL_EVERY = 10;
/** (c) One subscriber in ten filters on action=task.cancelled. */
const FILTERED_EVERY = 10;
const SUBSCRIBE_BATCH = 50;
/** Connections of the hub's own pool (sequencer, fan-out reads), besides its listening connection. */
const HUB_POOL = 2;
const DRAIN_TIMEOUT_MS = 60_000;
/** (d) Idle sequencer ticks timed per state; events bulk-inserted (in statements of BULK_CHUNK) into another workspace. */
const IDLE_TICKS = 15;
const BULK_EVENTS = 200_000;
const BULK_CHUNK = 10_000;
const BULK_WORKSPACE = "bench-bulk";
/** (e) Streams like the route's (a byte-bounded ReadableStream each, read by a loop), events per burst, rounds. */
const FRAME_SUBSCRIBERS = [500, 2_000] as const;
const FRAME_EVENTS = 50;
const FRAME_ROUNDS = 3;

const makeKit = (db: Database) => createActivityKit({ db: () => db, catalogue, tables: trackedTables, secret: SECRET });
type Kit = ReturnType<typeof makeKit>;

interface Env {
  /** The writers' pool, with the commit mode's settings. */
  writers: DbHandle;
  kit: Kit;
  /** The hub's own pool and listening connection, as another part of the app would hold them. */
  hubHandle: DbHandle;
  hubKit: Kit;
  workspaceId: number;
  actor: Actor;
}

const firstRow = <T>(result: unknown): T => {
  const [row] = rowsOf<T>(result);
  if (!row) throw new Error("the query returned no row");
  return row;
};

function startHub(env: Env): LiveHub {
  return createLiveHub({
    db: () => env.hubHandle.db,
    listen: (channel, onMessage, onReconnect) => env.hubHandle.listen(channel, onMessage, onReconnect),
    toItems: env.hubKit.toItems,
  });
}

/** One task inserted through withTracking: one event, whose subject is `subject`. */
const insertTracked = (env: Env, subject: string) =>
  env.kit.withTracking(env.actor, "insert", subject, async (tx) => {
    const [row] = await tx
      .insert(tasks)
      .values({ workspaceId: env.workspaceId, title: subject })
      .returning({ id: tasks.id });
    return row!;
  });

/** One task cancelled through withTracking, with the reason its catalogue verb requires. */
const cancelTracked = (env: Env, taskId: number, subject: string) =>
  env.kit.withTracking(
    env.actor,
    "task.cancelled",
    subject,
    async (tx) => {
      const [row] = await tx
        .update(tasks)
        .set({ status: "cancelled" })
        .where(eq(tasks.id, taskId))
        .returning({ id: tasks.id });
      return row!;
    },
    { metadata: { reason: "bench" } },
  );

/** Tasks inserted without events (capture skipped), for the cancels. */
async function untrackedTasks(env: Env, n: number): Promise<number[]> {
  return env.kit.withTracking(
    env.actor,
    "insert",
    "untracked",
    async (tx) =>
      (
        await tx
          .insert(tasks)
          .values(Array.from({ length: n }, (_, i) => ({ workspaceId: env.workspaceId, title: `to cancel ${i}` })))
          .returning({ id: tasks.id })
      ).map((r) => r.id),
    { track: false },
  );
}

async function waitUntil(done: () => boolean, timeoutMs = DRAIN_TIMEOUT_MS): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(1);
  }
  return true;
}

interface Latency {
  count: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

function latencyOf(values: readonly number[]): Latency {
  const s = summarizeLatencies(Float64Array.from(values));
  return { count: s.count, min: values.length ? Math.min(...values) : Number.NaN, p50: s.p50, p99: s.p99, max: s.max };
}

/** Milliseconds from each commit to its delivery; subjects never delivered are counted, not timed. */
function deliveryLatencies(commits: Map<string, number>, received: Map<string, number>) {
  const ms: number[] = [];
  let missing = 0;
  for (const [subject, at] of commits) {
    const got = received.get(subject);
    if (got === undefined) missing++;
    else ms.push(got - at);
  }
  return { ms, missing };
}

const mark = (ok: boolean) => (ok ? "✓" : "✗");

/* ---------------------------------------------------------------- (a) commit to subscriber */

async function latencyCase(env: Env) {
  const hub = startHub(env);
  const received = new Map<string, number>();
  const commits = new Map<string, number>();
  const writeMs: number[] = [];
  let elapsedMs = 0;
  try {
    await hub.subscribe({
      workspaceId: String(env.workspaceId),
      filters: {},
      after: null,
      send: (item) => void received.set(item.subject, performance.now()),
      close() {},
    });
    for (let i = 0; i < LATENCY_WARMUP; i++) await insertTracked(env, `latency warm-up ${i}`);
    await waitUntil(() => received.size >= LATENCY_WARMUP);
    const start = performance.now();
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      const wait = start + i * PACE_MS - performance.now();
      if (wait > 0) await sleep(wait);
      const subject = `latency ${i}`;
      const t0 = performance.now();
      await insertTracked(env, subject);
      const committed = performance.now();
      commits.set(subject, committed);
      writeMs.push(committed - t0);
    }
    elapsedMs = performance.now() - start;
    await waitUntil(() => [...commits.keys()].every((s) => received.has(s)));
  } finally {
    await hub.stop();
  }
  const { ms, missing } = deliveryLatencies(commits, received);

  // A client polling every POLL_MS sees an event at its first tick after the commit (the fetch itself not
  // counted): computed from the same commit times, for POLL_CLIENTS clients with phases spread evenly.
  const polled: number[] = [];
  for (let k = 0; k < POLL_CLIENTS; k++) {
    const phase = (k + 0.5) * (POLL_MS / POLL_CLIENTS);
    for (const at of commits.values()) polled.push((((phase - at) % POLL_MS) + POLL_MS) % POLL_MS);
  }
  return {
    live: latencyOf(ms),
    missing,
    polling: latencyOf(polled),
    write: latencyOf(writeMs),
    eventsPerSec: LATENCY_EVENTS / (elapsedMs / 1000),
  };
}

/* ---------------------------------------------------------------- (b) write path, live on vs off */

interface LagResult {
  round: number;
  events: number;
  /** Commit (withTracking resolved) to the subscriber's send, every event of the run, warm-up included. */
  delivery: Latency;
  missing: number;
  /** From the writers' stop to the last event delivered. */
  drainMs: number;
  head: number;
  eventsInWorkspace: number;
}

interface CatchUp {
  round: number;
  events: number;
  ms: number;
  ticks: number;
}

async function headAndCount(env: Env) {
  return firstRow<{ head: number; events: number }>(
    await env.hubHandle.db.execute(sql`SELECT
      coalesce((SELECT seq FROM activity_heads WHERE workspace_id = ${String(env.workspaceId)}), 0)::int AS head,
      (SELECT count(*) FROM activity_events WHERE workspace_id = ${String(env.workspaceId)})::int AS events`),
  );
}

async function writePathCases(env: Env, context: SuiteContext) {
  const { options } = context;
  const commits = new Map<string, number>();
  const received = new Map<string, number>();
  let tag = 0;
  let round = 0;
  let hub: LiveHub | undefined;
  const lags: LagResult[] = [];
  const catchUps: CatchUp[] = [];
  // The same operation in both cases: a task insert through withTracking, its commit time noted.
  const op = (client: number, iteration: number) => {
    const subject = `w${tag}-${client}-${iteration}`;
    return insertTracked(env, subject).then(() => void commits.set(subject, performance.now()));
  };
  const begin = () => {
    tag++;
    commits.clear();
    received.clear();
  };
  // Sequence what the writers left, unmeasured, so the next round starts without a backlog.
  const drain = async (result: RoundResult | undefined) => {
    const t0 = performance.now();
    let ticks = 0;
    while (Object.keys(await sequenceOnce(env.hubHandle.db)).length > 0) ticks++;
    return { round: result?.round ?? round, events: commits.size, ms: performance.now() - t0, ticks };
  };
  let sequencer: ReturnType<typeof startSequencer> | undefined;
  const results = await runRounds(
    [
      {
        id: "live-off",
        op,
        async before() {
          begin();
        },
        async after(result) {
          catchUps.push(await drain(result));
        },
      },
      {
        id: "sequencer",
        op,
        async before() {
          begin();
          sequencer = startSequencer(() => env.hubHandle.db);
        },
        async after(result) {
          await sequencer?.stop();
          sequencer = undefined;
          await drain(result);
        },
      },
      {
        // The same sequencer numbering without sealing: only to show what sealing costs the writers.
        id: "unsealed",
        op,
        async before() {
          begin();
          sequencer = startSequencer(() => env.hubHandle.db, { seal: false });
        },
        async after(result) {
          await sequencer?.stop();
          sequencer = undefined;
          await drain(result);
          await sealAll(env.hubHandle.db);
        },
      },
      {
        id: "live-on",
        op,
        async before() {
          begin();
          hub = startHub(env);
          await hub.subscribe({
            workspaceId: String(env.workspaceId),
            filters: {},
            after: null,
            send: (item) => void received.set(item.subject, performance.now()),
            close() {},
          });
        },
        async after(result) {
          const stoppedAt = performance.now();
          await waitUntil(() => received.size >= commits.size);
          const drainMs = performance.now() - stoppedAt;
          await hub?.stop();
          hub = undefined;
          const { ms, missing } = deliveryLatencies(commits, received);
          const hc = await headAndCount(env);
          lags.push({
            round: result?.round ?? round,
            events: commits.size,
            delivery: latencyOf(ms),
            missing,
            drainMs,
            head: hc.head,
            eventsInWorkspace: hc.events,
          });
        },
      },
    ],
    {
      ...options,
      beforeEach: () => checkpoint(env.hubHandle.db),
      onResult: (id, r) => {
        round = r.round;
        process.stderr.write(
          `  round ${r.round}  ${id.padEnd(9)} ${count(r.opsPerSec).padStart(7)} ops/s  p50 ${fixed(r.p50, 2)} ms  p99 ${fixed(r.p99, 2)} ms\n`,
        );
      },
    },
  );
  return { results, lags, catchUps };
}

/** Seals what an unsealed run left (unmeasured), so the next runs and the final verify see a whole chain. */
async function sealAll(db: Database): Promise<void> {
  while ((await unsealedWorkspaces(db)).length > 0) await sequenceOnce(db, { catchUp: true });
}

/** A checkpoint before every measured run, so none pays for one another started (skipped unless superuser). */
async function checkpoint(db: Database): Promise<void> {
  try {
    await db.execute(sql`CHECKPOINT`);
  } catch {}
}

/* ---------------------------------------------------------------- (c) fan-out */

interface BenchSubscriber {
  filtered: boolean;
  count: number;
  lastSeq: number;
  firstSeq: number;
  outOfOrder: number;
  otherActions: number;
  closed: boolean;
}

async function fanOutCase(env: Env, subscribers: number, gc: (() => void) | null) {
  const toCancel = await untrackedTasks(env, Math.ceil(FANOUT_EVENTS / CANCEL_EVERY));
  const run = `fan${subscribers}`;
  const hub = startHub(env);
  const perEvent = new Map<string, { first: number; last: number; n: number }>();
  const commits = new Map<string, number>();
  let deliveries = 0;
  let closed = 0;
  let stopped = false;
  try {
    // Warm the hub and the code paths with a throwaway subscriber and one event.
    let warmed = false;
    const unsubscribeWarm = await hub.subscribe({
      workspaceId: String(env.workspaceId),
      filters: {},
      after: null,
      send: () => {
        warmed = true;
      },
      close() {},
    });
    await insertTracked(env, `${run} warm-up`);
    await waitUntil(() => warmed);
    unsubscribeWarm();

    const m0 = sampleMemory(gc);
    const subs: BenchSubscriber[] = Array.from({ length: subscribers }, (_, i) => ({
      filtered: subscribers > 1 && i % FILTERED_EVERY === FILTERED_EVERY - 1,
      count: 0,
      lastSeq: 0,
      firstSeq: 0,
      outOfOrder: 0,
      otherActions: 0,
      closed: false,
    }));
    const make = (s: BenchSubscriber) => ({
      workspaceId: String(env.workspaceId),
      filters: s.filtered ? { action: "task.cancelled" } : {},
      after: null,
      send(item: { seq: number; subject: string; action: string }) {
        const now = performance.now();
        if (item.seq <= s.lastSeq) s.outOfOrder++;
        if (s.count === 0) s.firstSeq = item.seq;
        s.lastSeq = item.seq;
        s.count++;
        if (s.filtered && item.action !== "task.cancelled") s.otherActions++;
        deliveries++;
        const e = perEvent.get(item.subject);
        if (e) {
          e.last = now;
          e.n++;
        } else perEvent.set(item.subject, { first: now, last: now, n: 1 });
      },
      close() {
        s.closed = true;
        closed++;
      },
    });
    const made = subs.map(make);
    const m1 = sampleMemory(gc);
    const t0 = performance.now();
    for (let i = 0; i < made.length; i += SUBSCRIBE_BATCH) {
      await Promise.all(made.slice(i, i + SUBSCRIBE_BATCH).map((s) => hub.subscribe(s)));
    }
    const subscribeMs = performance.now() - t0;
    const m2 = sampleMemory(gc);

    const headBefore = await readHead(env.hubHandle.db, String(env.workspaceId));
    const burstStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: FANOUT_WRITERS }, async () => {
        for (let k = next++; k < FANOUT_EVENTS; k = next++) {
          const subject = `${run} event ${k}`;
          if (k % CANCEL_EVERY === 0) await cancelTracked(env, toCancel[k / CANCEL_EVERY]!, subject);
          else await insertTracked(env, subject);
          commits.set(subject, performance.now());
        }
      }),
    );
    const lastCommit = performance.now();
    const cancels = Math.ceil(FANOUT_EVENTS / CANCEL_EVERY);
    const filtered = subs.filter((s) => s.filtered).length;
    const expected = (subscribers - filtered) * FANOUT_EVENTS + filtered * cancels;
    const complete = await waitUntil(() => deliveries >= expected);
    const lastDelivery = Math.max(...[...perEvent.values()].map((e) => e.last));
    const headAfter = await readHead(env.hubHandle.db, String(env.workspaceId));

    const first: number[] = [];
    const last: number[] = [];
    for (const [subject, at] of commits) {
      const e = perEvent.get(subject);
      if (!e) continue;
      first.push(e.first - at);
      last.push(e.last - at);
    }
    const inRange = (s: BenchSubscriber) =>
      s.outOfOrder === 0 && (s.count === 0 || (s.firstSeq > headBefore && s.lastSeq <= headAfter));
    const unfilteredOk = subs.filter((s) => !s.filtered).every((s) => s.count === FANOUT_EVENTS && inRange(s));
    const filteredOk = subs
      .filter((s) => s.filtered)
      .every((s) => s.count === cancels && s.otherActions === 0 && inRange(s));
    stopped = true;
    await hub.stop();
    return {
      subscribers,
      filtered,
      subscribeMs,
      memory: { beforeSubscribers: m0, subscriberObjects: m1, subscribed: m2 },
      heapPerSubscription: (m2.heapUsed - m1.heapUsed) / subscribers,
      rssPerSubscription: (m2.rss - m1.rss) / subscribers,
      heapPerSubscriberObject: (m1.heapUsed - m0.heapUsed) / subscribers,
      burstMs: lastCommit - burstStart,
      commitToFirst: latencyOf(first),
      commitToLast: latencyOf(last),
      lastCommitToLastDelivery: lastDelivery - lastCommit,
      deliveries,
      expectedDeliveries: expected,
      checks: {
        complete,
        sequencedExactly: headAfter - headBefore === FANOUT_EVENTS,
        unfilteredAllOnce: unfilteredOk,
        filteredOnlyCancels: filteredOk,
        closedOnStop: closed === subscribers,
      },
    };
  } finally {
    if (!stopped) await hub.stop();
  }
}

/* ---------------------------------------------------------------- (d) the sequencer's idle tick */

/** Sequences anything pending, then times ticks that find nothing to do: the sequencer's floor, every 25 ms. */
async function idleTicks(db: Database) {
  while (Object.keys(await sequenceOnce(db)).length > 0) {}
  const ms: number[] = [];
  for (let i = 0; i < IDLE_TICKS; i++) {
    const t0 = performance.now();
    await sequenceOnce(db);
    ms.push(performance.now() - t0);
  }
  return latencyOf(ms);
}

async function tableState(db: Database) {
  return firstRow<{
    events: number;
    sequenced: number;
    last_autovacuum: string | null;
    last_autoanalyze: string | null;
  }>(
    await db.execute(sql`SELECT (SELECT count(*) FROM activity_events)::int AS events,
        (SELECT count(*) FROM activity_sequence)::int AS sequenced,
        s.last_autovacuum::text, s.last_autoanalyze::text
      FROM pg_stat_user_tables s WHERE s.relname = 'activity_events'`),
  );
}

class Rollback extends Error {}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statement an idle tick really sends (recorded from what postgres.js
 * sends), in a transaction rolled back afterwards. Returns the scan and join lines.
 */
async function tickPlan(url: string): Promise<string[]> {
  let sent: { query: string; parameters: unknown[] }[] = [];
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query, parameters) => sent.push({ query, parameters }),
  });
  try {
    const db = drizzle(client, { schema }) as unknown as Database;
    while (Object.keys(await sequenceOnce(db)).length > 0) {}
    sent = [];
    await sequenceOnce(db);
    const tick = sent.find((x) => x.query.includes("activity_sequence ("));
    if (!tick) return ["(the tick statement was not seen)"];
    let lines: string[] = [];
    await client
      .begin(async (tx) => {
        const rows = await tx.unsafe<{ "QUERY PLAN": string }[]>(
          `EXPLAIN (ANALYZE, BUFFERS) ${tick.query}`,
          tick.parameters as never[],
        );
        lines = rows.map((r) => r["QUERY PLAN"]);
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    return lines
      .filter((l) => /Scan on activity_(events|sequence) |Anti Join|Rows Removed|Heap Blocks|Execution Time/.test(l))
      .map((l) => l.replace(/\s*\(cost=[^)]*\)/, "").replace(/^\s*(->)?\s*/, ""));
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Events in another workspace, in statements of BULK_CHUNK (each its own transaction), then all sequenced. */
async function bulkEvents(db: Database) {
  const t0 = performance.now();
  for (let from = 1; from <= BULK_EVENTS; from += BULK_CHUNK) {
    await db.execute(sql`INSERT INTO activity_events (workspace_id, actor_type, actor_id, actor_label, action, subject,
                                                      record_type, record_id)
      SELECT ${BULK_WORKSPACE}, 'user', '1', 'Bench', 'insert', 'bulk ' || g, 'task', g::text
        FROM generate_series(${from}::int, ${Math.min(BULK_EVENTS, from + BULK_CHUNK - 1)}::int) AS g`);
  }
  const inserted = performance.now();
  let ticks = 0;
  while (Object.keys(await sequenceOnce(db)).length > 0) ticks++;
  return { insertMs: inserted - t0, sequenceMs: performance.now() - inserted, ticks };
}

/* ---------------------------------------------------------------- (e) SSE frames: per stream or once per item */

type FrameMode = "per stream" | "once";
const frameEncoder = new TextEncoder();

/**
 * N streams as the route makes them (a ReadableStream bounded in bytes, drained by a reader as Next's pipe
 * would), then a burst of FRAME_EVENTS events committed in one statement (copies of real events of the
 * workspace, diffs included), so one pump fans out all of them. "per stream" encodes the SSE frame in every
 * stream's send, as the route did before; "once" enqueues the frame the hub built for the item.
 */
async function frameCase(env: Env, subscribers: number, mode: FrameMode, tag: string) {
  const hub = startHub(env);
  const expected = subscribers * FRAME_EVENTS;
  let delivered = 0;
  let firstAt = 0;
  let lastAt = 0;
  let bytesRead = 0;
  const drains: Promise<void>[] = [];
  let stopped = false;
  try {
    const make = () => {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>(
        {
          start(c) {
            controller = c;
          },
        },
        new ByteLengthQueuingStrategy({ highWaterMark: 1 << 20 }),
      );
      drains.push(
        (async () => {
          const reader = stream.getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            bytesRead += value.byteLength;
          }
        })(),
      );
      const count = () => {
        const now = performance.now();
        if (delivered === 0) firstAt = now;
        delivered++;
        lastAt = now;
      };
      return {
        workspaceId: String(env.workspaceId),
        filters: {},
        after: null,
        send:
          mode === "once"
            ? (_item: unknown, frame: Uint8Array) => {
                controller.enqueue(frame);
                count();
              }
            : (item: { seq: number }) => {
                controller.enqueue(
                  frameEncoder.encode(`id: ${item.seq}\nevent: activity\ndata: ${JSON.stringify(item)}\n\n`),
                );
                count();
              },
        close: () => controller.close(),
      };
    };
    const made = Array.from({ length: subscribers }, make);
    for (let i = 0; i < made.length; i += SUBSCRIBE_BATCH) {
      await Promise.all(made.slice(i, i + SUBSCRIBE_BATCH).map((sub) => hub.subscribe(sub)));
    }
    // The longest gap between the turns of a 1 ms timer: how long the event loop was blocked at most.
    let lastTick = performance.now();
    let loopMaxMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      loopMaxMs = Math.max(loopMaxMs, now - lastTick);
      lastTick = now;
    }, 1);
    const t0 = performance.now();
    await env.writers.db.execute(sql`INSERT INTO activity_events (workspace_id, actor_type, actor_id, actor_label,
        action, subject, record_type, record_id, related, refs, changes, metadata)
      SELECT workspace_id, actor_type, actor_id, actor_label, action, ${tag} || ' ' || row_number() OVER (),
             record_type, record_id, related, refs, changes, metadata
        FROM activity_events
       WHERE workspace_id = ${String(env.workspaceId)} AND NOT unattributed AND changes <> '[]'::jsonb
       ORDER BY id DESC LIMIT ${FRAME_EVENTS}`);
    const committed = performance.now();
    const complete = await waitUntil(() => delivered >= expected);
    clearInterval(ticker);
    stopped = true;
    await hub.stop();
    await Promise.all(drains);
    return {
      mode,
      subscribers,
      complete,
      commitToLastMs: lastAt - committed,
      fanOutMs: lastAt - firstAt,
      loopMaxMs,
      bytesPerStream: bytesRead / subscribers,
      insertMs: committed - t0,
    };
  } finally {
    if (!stopped) await hub.stop();
  }
}

async function frameCases(env: Env, gc: (() => void) | null) {
  const results: Awaited<ReturnType<typeof frameCase>>[] = [];
  for (const n of FRAME_SUBSCRIBERS) {
    for (let round = 0; round < FRAME_ROUNDS; round++) {
      // The order alternates, so neither mode always runs on a warmer process.
      const modes: FrameMode[] = round % 2 === 0 ? ["per stream", "once"] : ["once", "per stream"];
      for (const mode of modes) {
        gc?.();
        process.stderr.write(`  ${count(n)} streams, round ${round + 1}, ${mode}\n`);
        results.push(await frameCase(env, n, mode, `frames ${n} ${round} ${mode}`));
      }
    }
  }
  return FRAME_SUBSCRIBERS.map((n) => {
    const of = (mode: FrameMode) => results.filter((r) => r.subscribers === n && r.mode === mode);
    const summary = (mode: FrameMode) => {
      const rs = of(mode);
      return {
        mode,
        fanOutMs: median(rs.map((r) => r.fanOutMs)),
        commitToLastMs: median(rs.map((r) => r.commitToLastMs)),
        loopMaxMs: median(rs.map((r) => r.loopMaxMs)),
        bytesPerStream: median(rs.map((r) => r.bytesPerStream)),
        complete: rs.every((r) => r.complete),
      };
    };
    const before = summary("per stream");
    const after = summary("once");
    const perRound = of("once").map((r, i) => (of("per stream")[i]?.fanOutMs ?? Number.NaN) / r.fanOutMs);
    return {
      subscribers: n,
      before,
      after,
      speedup: median(perRound),
      rounds: results.filter((r) => r.subscribers === n),
    };
  });
}

/* ---------------------------------------------------------------- the suite */

const memoryLabel = (m: MemorySample) =>
  `heap ${fixed(m.heapUsed / 2 ** 20, 1)} MB, rss ${fixed(m.rss / 2 ** 20, 1)} MB`;

export const live: Suite = {
  name: "live",
  description:
    "the live hub: commit-to-subscriber latency, writers with live on/off, 1,000-subscriber fan-out, SSE frames once per item",

  estimateSeconds(o) {
    return 15 + 4 * o.rounds * (o.seconds + o.warmup + 2) + 20 + 25 + 30;
  },

  async run(context: SuiteContext) {
    const { options } = context;
    const mode = options.modes[0] ?? "durable";
    const gc = forceGc();
    const writers = await openPostgres(
      withParameters(context.databaseUrl, { ...COMMIT_MODES[mode], application_name: "activity-kit-bench" }),
      { max: options.clients },
    );
    const hubHandle = await openPostgres(context.databaseUrl, { max: HUB_POOL });
    try {
      const { db } = writers;
      const [workspace] = rowsOf<{ id: number }>(
        await db.execute(sql`INSERT INTO workspaces (name, slug) VALUES ('Bench live', 'bench-live') RETURNING id`),
      );
      const [user] = rowsOf<{ id: number }>(
        await db.execute(sql`INSERT INTO users (email, name) VALUES ('bench@example.com', 'Bench') RETURNING id`),
      );
      if (!workspace || !user) throw new Error("no workspace or user");
      const env: Env = {
        writers,
        kit: makeKit(db),
        hubHandle,
        hubKit: makeKit(hubHandle.db),
        workspaceId: workspace.id,
        actor: { type: "user", id: user.id, name: "Bench", workspaceId: workspace.id },
      };
      const settings = firstRow<Record<string, string>>(
        await db.execute(
          sql`SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit`,
        ),
      );

      console.log(`
Live: the kit's hub (createLiveHub: the in-process sequencer ticking every 25 ms, one LISTEN connection on
activity_sequenced, a re-read of the heads every 5 s) with plain in-process subscribers. Not included: the
SSE/HTTP layer (route handler, response stream, the browser); memory per subscriber excludes the HTTP stream.
Writers: ${mode} (fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}), a pool of ${options.clients} connections; the hub has a pool
of its own (${HUB_POOL} connections, plus its listening one), as another part of the app would. All in this one Node process.`);

      const idleStates: { state: string; events: number; sequenced: number; autovacuum: string; tick: Latency }[] = [];
      const noteIdle = async (state: string) => {
        const tick = await idleTicks(hubHandle.db);
        const t = await tableState(hubHandle.db);
        idleStates.push({
          state,
          events: t.events,
          sequenced: t.sequenced,
          autovacuum: `vacuum ${t.last_autovacuum ? "yes" : "no"}, analyze ${t.last_autoanalyze ? "yes" : "no"}`,
          tick,
        });
      };
      await noteIdle("empty table, at the start");

      // (a)
      process.stderr.write("\nlive (a): commit to subscriber\n");
      const latency = await latencyCase(env);
      console.log(`
(a) Commit to subscriber: ${count(LATENCY_EVENTS)} task inserts through withTracking, one at a time, one started every
${PACE_MS} ms or when the previous returned (${fixed(latency.eventsPerSec, 0)} events/s; withTracking p50 ${fixed(latency.write.p50, 2)} ms,
p99 ${fixed(latency.write.p99, 2)} ms). Live: from withTracking's resolve (COMMIT answered) to the subscriber's send. Polling: analytical,
from the same commit times to the next tick of a client polling kit.feed every ${POLL_MS / 1000} s (${POLL_CLIENTS} clients, phases spread
evenly over the period; the fetch itself not counted).`);
      console.log(
        formatTable(
          ["case", "events", "min ms", "p50 ms", "p99 ms", "max ms", "p50 × live"],
          (
            [
              ["live hub", latency.live],
              [`polling every ${POLL_MS / 1000} s (analytical)`, latency.polling],
            ] as const
          ).map(([label, l]) => [
            label,
            count(l.count),
            fixed(l.min, 1),
            fixed(l.p50, 1),
            fixed(l.p99, 1),
            fixed(l.max, 1),
            fixed(l.p50 / latency.live.p50, 1),
          ]),
        ),
      );
      console.log(`  ${mark(latency.missing === 0)} every event delivered (${latency.missing} missing)`);

      // (b)
      process.stderr.write("\nlive (b): writers with live on and off\n");
      const wp = await writePathCases(env, context);
      const summary = (id: string) => {
        const rounds = wp.results.get(id) ?? [];
        const base = wp.results.get("live-off") ?? [];
        const throughput = rounds.map((r) => r.opsPerSec);
        return {
          id,
          opsPerSec: median(throughput),
          opsPerSecMin: Math.min(...throughput),
          opsPerSecMax: Math.max(...throughput),
          p50Ms: median(rounds.map((r) => r.p50)),
          p99Ms: median(rounds.map((r) => r.p99)),
          hostCpuPercent: median(rounds.map((r) => r.hostCpuPercent)),
          clientCpuPercent: median(rounds.map((r) => r.clientCpuPercent)),
          vsOff: median(rounds.map((r, i) => r.opsPerSec / (base[i]?.opsPerSec ?? Number.NaN))),
          rounds: rounds as RoundResult[],
        };
      };
      const writeSummaries = [summary("live-off"), summary("unsealed"), summary("sequencer"), summary("live-on")];
      const caseLabel: Record<string, string> = {
        "live-off": "live off (no hub)",
        unsealed: "sequencer, sealing off",
        sequencer: "sequencer only",
        "live-on": "live on (hub + sequencer)",
      };
      console.log(`
(b) Writers with live on vs off: ${options.clients} clients in closed loops inserting a task through withTracking, ${options.seconds} s per case
after ${options.warmup} s of warm-up, ${options.rounds} rounds, the order rotated each round; medians over rounds. "× off" is the median of
per-round throughput ratios. on = a hub running (sequencer, listener, one subscriber); sequencer only = the kit's
startSequencer alone (no listener, no fan-out), to tell the server-side tick from the hub's reads and fan-out;
sealing off = the sequencer numbering without sealing (a bench-only option); off = no hub, no sequencer. What the writers left is sequenced after each run, unmeasured. Client CPU is this
Node process (writers, and the hub when running).`);
      console.log(
        formatTable(
          ["case", "ops/s", "min–max ops/s", "p50 ms", "p99 ms", "client CPU", "host CPU", "× off"],
          writeSummaries.map((s) => [
            caseLabel[s.id] ?? s.id,
            count(s.opsPerSec),
            `${count(s.opsPerSecMin)}–${count(s.opsPerSecMax)}`,
            fixed(s.p50Ms, 2),
            fixed(s.p99Ms, 2),
            `${fixed(s.clientCpuPercent, 0)}%`,
            `${fixed(s.hostCpuPercent, 0)}%`,
            fixed(s.vsOff, 2),
          ]),
        ),
      );
      const sealedRounds = wp.results.get("sequencer") ?? [];
      const unsealedRounds = wp.results.get("unsealed") ?? [];
      const sealingRatio = median(
        sealedRounds.map((r, i) => r.opsPerSec / (unsealedRounds[i]?.opsPerSec ?? Number.NaN)),
      );
      const chain = await verifyChain(hubHandle.db, String(workspace.id));
      console.log(`
  Sealing: writers' throughput with the sequencer sealing vs numbering only: ${fixed(sealingRatio, 2)}× (median of per-round
  ratios; per round ${sealedRounds.map((r, i) => fixed(r.opsPerSec / (unsealedRounds[i]?.opsPerSec ?? Number.NaN), 2)).join(", ")}).
  Sealing delay: a seal commits with its number in the sequencer's tick, and an event reaches a live subscriber only
  after that commit, so commit→delivery below bounds it from above (p99 per round: ${wp.lags.map((l) => fixed(l.delivery.p99, 1)).join(", ")} ms).
  ${mark(chain.ok)} the workspace's chain verifies: ${count(chain.checked)} events${chain.problem ? `; ${chain.problem.kind}: ${chain.problem.message}` : ""}`);
      console.log(`
  Sequencer lag under load, live on: commit to the subscriber's send for every event of the run (warm-up
  included), and from the writers' stop to the last delivery; then the workspace's head against its events.`);
      console.log(
        formatTable(
          ["round", "events", "p50 ms", "p99 ms", "max ms", "drain ms", "missing", "head = events"],
          wp.lags.map((l) => [
            String(l.round),
            count(l.events),
            fixed(l.delivery.p50, 1),
            fixed(l.delivery.p99, 1),
            fixed(l.delivery.max, 1),
            fixed(l.drainMs, 0),
            count(l.missing),
            `${mark(l.head === l.eventsInWorkspace)} ${count(l.head)} / ${count(l.eventsInWorkspace)}`,
          ]),
        ),
      );
      console.log(
        `  Catch-up after each live-off round (sequenceOnce in a loop, batches of up to 5,000): ${wp.catchUps
          .map((c) => `${count(c.events)} events in ${fixed(c.ms, 0)} ms (${c.ticks} ticks)`)
          .join("; ")}`,
      );

      // (c)
      process.stderr.write("\nlive (c): fan-out\n");
      const fanOuts = [];
      for (const n of FANOUT_SUBSCRIBERS) {
        process.stderr.write(`  ${count(n)} subscribers\n`);
        fanOuts.push(await fanOutCase(env, n, gc));
      }
      const base = fanOuts[0]!;
      console.log(`
(c) Fan-out: N subscribers on one hub, one workspace (one in ${FILTERED_EVERY} filtered on action=task.cancelled when N > 1), each send
counting; then a burst of ${FANOUT_EVENTS} events from ${FANOUT_WRITERS} writers (every ${CANCEL_EVERY}th a task.cancelled). Memory: process.memoryUsage() after
${gc ? "two full GCs" : "no GC (gc unavailable: deltas include garbage)"}, before and after subscribing; the subscriber objects themselves were allocated before. Delivery: from
an event's commit to its first and its last subscriber; "× 1" compares the p50 to commit→last with 1 subscriber.`);
      console.log(
        formatTable(
          [
            "subscribers",
            "subscribe ms",
            "heap B/sub",
            "rss B/sub",
            "deliveries",
            "→first p50",
            "→last p50",
            "→last p99",
            "→last max",
            "tail ms",
            "× 1",
          ],
          fanOuts.map((f) => [
            count(f.subscribers),
            fixed(f.subscribeMs, 0),
            f.subscribers >= 100 ? count(f.heapPerSubscription) : "-",
            f.subscribers >= 100 ? count(f.rssPerSubscription) : "-",
            `${count(f.deliveries)}/${count(f.expectedDeliveries)}`,
            fixed(f.commitToFirst.p50, 1),
            fixed(f.commitToLast.p50, 1),
            fixed(f.commitToLast.p99, 1),
            fixed(f.commitToLast.max, 1),
            fixed(f.lastCommitToLastDelivery, 0),
            fixed(f.commitToLast.p50 / base.commitToLast.p50, 2),
          ]),
        ),
      );
      console.log("  ms columns: from commit; tail = from the burst's last commit to the last delivery of all.");
      for (const f of fanOuts) {
        const m = f.memory;
        console.log(
          `  ${count(f.subscribers)} subscribers: before ${memoryLabel(m.subscriberObjects)}, subscribed ${memoryLabel(m.subscribed)}; burst written in ${fixed(f.burstMs, 0)} ms`,
        );
        console.log(
          `    ${mark(f.checks.complete)} all ${count(f.expectedDeliveries)} deliveries arrived   ${mark(f.checks.sequencedExactly)} the head advanced by exactly ${FANOUT_EVENTS}`,
        );
        console.log(
          `    ${mark(f.checks.unfilteredAllOnce)} every unfiltered subscriber received all ${FANOUT_EVENTS} exactly once, in order   ${mark(f.checks.filteredOnlyCancels)} every filtered one exactly the ${Math.ceil(FANOUT_EVENTS / CANCEL_EVERY)} cancels   ${mark(f.checks.closedOnStop)} hub.stop() closed them all`,
        );
      }

      // (d)
      process.stderr.write("\nlive (d): the sequencer's idle tick\n");
      await noteIdle("after (a)-(c), as autovacuum left it");
      const bulk = await bulkEvents(hubHandle.db);
      await noteIdle(`+${count(BULK_EVENTS)} events, sequenced, not vacuumed`);
      const planBefore = await tickPlan(context.databaseUrl);
      await hubHandle.db.execute(sql`VACUUM (ANALYZE) activity_events, activity_sequence`);
      await noteIdle("after VACUUM ANALYZE");
      const planAfter = await tickPlan(context.databaseUrl);
      const empty = idleStates[0]!.tick.p50;
      console.log(`
(d) The sequencer's idle tick: sequenceOnce when there is nothing to sequence, ${IDLE_TICKS} times per state (the hub runs
one every 25 ms, plus the tick's own time: a tick that takes longer than that adds to every event's delay). The
events of (a)-(c), then ${count(BULK_EVENTS)} more in another workspace (INSERT ... SELECT, ${count(BULK_CHUNK)} per statement; inserted in
${fixed(bulk.insertMs / 1000, 1)} s, sequenced by ${bulk.ticks} ticks in ${fixed(bulk.sequenceMs / 1000, 1)} s), then VACUUM ANALYZE. "autovacuum" is pg_stat_user_tables'
last_autovacuum / last_autoanalyze of activity_events.`);
      console.log(
        formatTable(
          ["state", "events", "idle tick p50 ms", "max ms", "× empty", "autovacuum"],
          idleStates.map((x) => [
            x.state,
            count(x.events),
            fixed(x.tick.p50, 2),
            fixed(x.tick.max, 2),
            fixed(x.tick.p50 / empty, 1),
            x.autovacuum,
          ]),
        ),
      );
      console.log("  EXPLAIN (ANALYZE, BUFFERS) of an idle tick's statement, not vacuumed:");
      for (const line of planBefore) console.log(`      ${line}`);
      console.log("  and after VACUUM ANALYZE:");
      for (const line of planAfter) console.log(`      ${line}`);

      // (e)
      process.stderr.write("\nlive (e): SSE frames, per stream or once per item\n");
      const frames = await frameCases(env, gc);
      console.log(`
(e) SSE frames: N streams shaped as the route's (a ReadableStream bounded at 1 MiB each, drained by a reader), one
burst of ${FRAME_EVENTS} events committed in one statement (copies of this workspace's tracked events, diffs included), so one
pump fans them all out. "per stream": each stream's send runs JSON.stringify and encodes the frame (the route before
this change); "once": the hub builds the frame once per item and every stream enqueues the same bytes. ${FRAME_ROUNDS} rounds,
the order alternating; medians. fan-out = from the first delivery to the last; loop max
= the longest gap between turns of a 1 ms timer from the commit to the last delivery; "×" = per-round ratio of fan-out times.`);
      console.log(
        formatTable(
          ["streams", "mode", "fan-out ms", "commit→last ms", "loop max ms", "bytes/stream", "complete", "× once"],
          frames.flatMap((f) =>
            [f.before, f.after].map((m) => [
              count(f.subscribers),
              m.mode,
              fixed(m.fanOutMs, 1),
              fixed(m.commitToLastMs, 1),
              fixed(m.loopMaxMs, 1),
              count(m.bytesPerStream),
              mark(m.complete),
              m.mode === "once" ? fixed(f.speedup, 2) : "",
            ]),
          ),
        ),
      );

      writeResults(context, "live", {
        options,
        mode,
        settings,
        latency: { events: LATENCY_EVENTS, paceMs: PACE_MS, pollMs: POLL_MS, ...latency },
        writePath: { cases: writeSummaries, lags: wp.lags, catchUps: wp.catchUps },
        fanOut: fanOuts,
        idleTick: { states: idleStates, bulk, planBefore, planAfter },
        frames,
      });
    } finally {
      await hubHandle.close();
      await writers.close();
    }
  },
};
