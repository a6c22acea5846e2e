/**
 * Issues 13 and 15 through the real server: `next start` of the build, on the bench's database with the
 * demo seed, driven over plain node http from this process.
 *
 * (a) load: writers posting the task forms' server actions (create, then updates; as React's client posts
 *     them, with a session cookie from the login action) while SSE subscribers read `/api/activity/stream`;
 *     it counts, in the database, one event per committed mutation, and per subscriber every event of its
 *     workspace once.
 * (b) streams: 1,000 and 5,000 SSE streams on the one instance: server RSS per stream, commit→client
 *     delivery of steady events and of a burst, /api/health latency while they are open, RSS after close.
 *
 * "commit" is when the writer had the action's answer (the transaction committed before it): delivery
 * figures are answer→stream, a little under commit→stream. Client and server share the machine's cores, so
 * the client's own parsing is inside every figure. It prints numbers; it asserts nothing about them.
 */
import { randomBytes } from "node:crypto";
import type { Agent } from "node:http";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { openPostgres, rowsOf } from "@/lib/db/client";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "@/lib/db/demo-accounts";
import { seedDemo } from "@/lib/demo/seed";
import { actionIds, callAction, createAgent, openStream, request, type Stream, signIn } from "./lib/http-client";
import { startBareSseServer, startNextServer } from "./lib/next-server";
import { percentile, summarizeLatencies } from "./lib/stats";
import { type Suite, type SuiteContext, writeResults } from "./lib/suite";
import { count, fixed, formatTable } from "./lib/table";

const env = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not "${process.env[name]}"`);
  return n;
};
const WRITERS = env("BENCH_HTTP_WRITERS", 50);
const MUTATIONS = env("BENCH_HTTP_MUTATIONS", 200);
const SUBSCRIBERS = env("BENCH_HTTP_SUBSCRIBERS", 200);
const STREAM_COUNTS = (process.env.BENCH_HTTP_STREAMS ?? "1000,5000")
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isSafeInteger(n) && n > 0);
const STEADY_EVENTS = env("BENCH_HTTP_STEADY", 20);
const STEADY_GAP_MS = 250;
const BURST = env("BENCH_HTTP_BURST", 50);
const HEALTH_PROBES = env("BENCH_HTTP_HEALTH", 200);
const CYCLES = env("BENCH_HTTP_CYCLES", 2);
/** BENCH_HTTP_BASELINE=0 skips the plain node:http baseline of the streams. */
const BARE = env("BENCH_HTTP_BASELINE", 1) > 0;
const OPEN_CONCURRENCY = 100;
const DRAIN_TIMEOUT_MS = 120_000;

type Account = (typeof DEMO_ACCOUNTS)[number];
interface Session {
  account: Account;
  cookie: string;
  workspaceId: string;
}

interface Delivery {
  expected: number;
  lost: number;
  doubled: number;
  other: number;
  resets: number;
  ended: number;
  latencies: Float64Array;
}

/** What the streams got of the events `answeredAt` (event id → when its writer had the answer). */
function tally(streams: readonly Stream[], expectedOf: (s: number) => Map<string, number>): Delivery {
  let lost = 0;
  let doubled = 0;
  let other = 0;
  let resets = 0;
  let ended = 0;
  let expected = 0;
  const latencies: number[] = [];
  streams.forEach((stream, s) => {
    const mine = expectedOf(s);
    expected += mine.size;
    doubled += stream.doubled;
    resets += stream.resets;
    if (stream.ended) ended++;
    for (const [id, answered] of mine) {
      const at = stream.received.get(id);
      if (at === undefined) lost++;
      else latencies.push(at - answered);
    }
    for (const id of stream.received.keys()) if (!mine.has(id)) other++;
  });
  return { expected, lost, doubled, other, resets, ended, latencies: Float64Array.from(latencies) };
}

async function drain(streams: readonly Stream[], expectedOf: (s: number) => Map<string, number>): Promise<number> {
  const start = performance.now();
  const deadline = start + DRAIN_TIMEOUT_MS;
  const done = () =>
    streams.every((stream, s) => {
      for (const id of expectedOf(s).keys()) if (!stream.received.has(id)) return false;
      return true;
    });
  while (!done() && performance.now() < deadline) await sleep(20);
  const seconds = (performance.now() - start) / 1000;
  // Anything doubled arrives late: give the hub a few more sequencer ticks before counting.
  await sleep(500);
  return seconds;
}

async function inBatches<T>(n: number, size: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => fn(i + j)))));
  }
  return out;
}

/** How a phase's events are made: posted one by one, then matched to the ids the streams carry. */
interface Poster {
  healthUrl: string;
  /** Makes one event; a key for it and when the answer came, or null when the post failed. */
  post(label: string): Promise<{ key: string; at: number } | null>;
  /** Key → answer time, to event id → answer time. */
  eventIds(answered: Map<string, number>): Promise<Map<string, number>>;
}

/**
 * One phase on open streams: `events` posts one after another `STEADY_GAP_MS` apart, or all at once; health
 * probes run beside them (what another user's request waits while the fan-out runs) until every stream got
 * every event. Clears the streams' receipts afterwards: the next phase counts its own.
 */
async function runPhase(
  agent: Agent,
  streams: readonly Stream[],
  poster: Poster,
  name: string,
  events: number,
  burst: boolean,
) {
  const answered = new Map<string, number>();
  let failed = 0;
  const post = async (e: number) => {
    const outcome = await poster.post(`${name} ${e}`);
    if (outcome) answered.set(outcome.key, outcome.at);
    else failed++;
  };
  let writing = true;
  const during: number[] = [];
  const probing = (async () => {
    while (writing) {
      const start = performance.now();
      await request(agent, poster.healthUrl);
      during.push(performance.now() - start);
    }
  })();
  if (burst) await Promise.all(Array.from({ length: events }, (_, e) => post(e)));
  else {
    for (let e = 0; e < events; e++) {
      await post(e);
      await sleep(STEADY_GAP_MS);
    }
  }
  const expected = await poster.eventIds(answered);
  await drain(streams, () => expected);
  writing = false;
  await probing;
  const delivery = tally(streams, () => expected);
  for (const s of streams) {
    s.received.clear();
    s.doubled = 0;
    s.resets = 0;
  }
  return { delivery, failed, health: Float64Array.from(during).sort() };
}

const ms = (v: number) => fixed(v, 1);
const mb = (bytes: number) => fixed(bytes / 2 ** 20, 1);
const kb = (bytes: number) => fixed(bytes / 1024, 1);

export const http: Suite = {
  name: "http",
  description: `next start over HTTP: ${WRITERS} writers × ${MUTATIONS} server actions with ${SUBSCRIBERS} SSE subscribers; ${STREAM_COUNTS.join(" and ")} streams`,

  estimateSeconds() {
    return 60 + (WRITERS * MUTATIONS) / 40 + STREAM_COUNTS.length * 60;
  },

  async run(context: SuiteContext) {
    const seedHandle = await openPostgres(context.databaseUrl, { max: 2 });
    await seedDemo(seedHandle.db);
    // One secret for the run: the sessions signed in once stay valid when the server is restarted.
    const secret = randomBytes(32).toString("base64url");
    const boot = () =>
      startNextServer({
        DATABASE_URL: context.databaseUrl,
        AUTH_SECRET: secret,
        // The default 10 per viewer and process is what a person's tabs need; this suite opens thousands.
        ACTIVITY_MAX_STREAMS_PER_VIEWER: "1000000",
      });
    let server = await boot();
    const agent = createAgent();
    // Streams on an agent of their own: a stream never picks up a keep-alive socket the server is closing.
    const streamAgent = createAgent();
    const ids = actionIds();
    const createTask = ids.get("createTaskAction");
    if (!createTask) throw new Error("no createTaskAction in the build");
    const results: Record<string, unknown> = {};
    try {
      const workspaceOf = new Map(
        rowsOf<{ email: string; workspace_id: number }>(
          await seedHandle.db.execute(sql`
            SELECT u.email, m.workspace_id FROM users u JOIN memberships m ON m.user_id = u.id`),
        ).map((r) => [r.email, String(r.workspace_id)]),
      );
      const sessions: Session[] = [];
      for (const account of DEMO_ACCOUNTS) {
        const cookie = await signIn(agent, server.baseUrl, ids, account.email, DEMO_PASSWORD);
        sessions.push({ account, cookie, workspaceId: workspaceOf.get(account.email) ?? "" });
      }
      const rssAtStart = server.rss();
      console.log(`
HTTP: next start (pid ${server.pid}, ${server.baseUrl}) on the bench database with the demo seed, RSS ${mb(rssAtStart)} MB
after signing in ${sessions.map((s) => s.account.email).join(", ")} through the login action.`);

      /** Posts the task form; the created task's id and when its answer came, or the failure. */
      const create = async (session: Session, title: string) => {
        const answer = await callAction(
          agent,
          server.baseUrl,
          "/tasks",
          createTask,
          { title, projectId: "", assigneeId: "", dueDate: "" },
          session.cookie,
        );
        const at = performance.now();
        const id = answer.result?.ok ? answer.result.data?.id : undefined;
        return id === undefined
          ? {
              ok: false as const,
              at,
              error: `${answer.status} ${answer.result?.error?.message ?? answer.body.slice(0, 200)}`,
            }
          : { ok: true as const, at, taskId: String(id), workspaceId: session.workspaceId };
      };

      /** The task-creation events of these tasks, from the database: task id → event ids. */
      const eventsOfTasks = async (taskIds: string[]) => {
        const rows = rowsOf<{ id: string; record_id: string }>(
          await seedHandle.db.execute(sql`
            SELECT id::text AS id, record_id FROM activity_events
            WHERE record_type = 'task' AND record_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(taskIds)}::jsonb))
            ORDER BY activity_events.id`),
        );
        const byTask = new Map<string, string[]>();
        for (const r of rows) byTask.set(r.record_id, [...(byTask.get(r.record_id) ?? []), r.id]);
        return byTask;
      };

      /**
       * The baseline for n streams: bench/lib/bare-sse.mjs, the same streams, phases and frame size on plain
       * node:http; each post is written at once to every stream (no batching). Its delivery is timed from the
       * post (the kit's from the answer, later): the ratios understate the kit's cost, never overstate it.
       */
      const bareBaseline = async (n: number, sample: Record<string, unknown>) => {
        const bare = await startBareSseServer();
        let made = 0;
        const viaBare: Poster = {
          healthUrl: `${bare.baseUrl}/api/health`,
          async post() {
            const id = `baseline-${n}-${made++}`;
            const body = Buffer.from(JSON.stringify({ ...sample, id }));
            // Timed from the post, not its answer: with the client busy reading thousands of streams, the
            // answer is often read after the frame the server wrote once it had answered.
            const sent = performance.now();
            const answer = await request(agent, `${bare.baseUrl}/event`, { method: "POST", body });
            return answer.status === 200 ? { key: id, at: sent } : null;
          },
          eventIds: async (answered) => answered,
        };
        const streams = await inBatches(n, OPEN_CONCURRENCY, async () => {
          const stream = openStream(streamAgent, bare.baseUrl, "");
          await stream.ready;
          return stream;
        });
        try {
          await sleep(2000);
          const steady = await runPhase(agent, streams, viaBare, "steady", STEADY_EVENTS, false);
          const burst = await runPhase(agent, streams, viaBare, "burst", BURST, true);
          return { steady, burst };
        } finally {
          for (const stream of streams) stream.close();
          await bare.stop();
        }
      };

      // (a) Issue 13's load through the server.
      if (WRITERS > 0 && MUTATIONS > 0) {
        const subscriberSessions = Array.from({ length: SUBSCRIBERS }, (_, s) => sessions[s % sessions.length]!);
        const subscribers = subscriberSessions.map((session) =>
          openStream(streamAgent, server.baseUrl, session.cookie),
        );
        await Promise.all(subscribers.map((s) => s.ready));
        const rssWithSubscribers = server.rss();
        const loadBefore = loadavg()[0] ?? 0;

        // Each writer creates its task, then updates it (as bench/load.ts does): the /tasks page each action
        // re-renders lists every task of the workspace, so creating 10,000 would time that page, not tracking.
        const updateTask = ids.get("updateTaskAction");
        if (!updateTask) throw new Error("no updateTaskAction in the build");
        /** Per task, when each committed mutation's answer came, in the writer's (sequential) order. */
        const answered = new Map<string, { at: number[]; workspaceId: string }>();
        let committed = 0;
        let failed = 0;
        let firstFailure = "";
        const start = performance.now();
        await Promise.all(
          Array.from({ length: WRITERS }, async (_, w) => {
            const session = sessions[w % sessions.length]!;
            const created = await create(session, `http w${w} m0`);
            if (!created.ok) {
              failed += MUTATIONS;
              firstFailure ||= created.error;
              return;
            }
            const mine = { at: [created.at], workspaceId: session.workspaceId };
            answered.set(created.taskId, mine);
            committed++;
            for (let m = 1; m < MUTATIONS; m++) {
              const answer = await callAction(
                agent,
                server.baseUrl,
                "/tasks",
                updateTask,
                {
                  id: created.taskId,
                  title: `http w${w} m${m}`,
                  status: "todo",
                  projectId: "",
                  assigneeId: "",
                  dueDate: "",
                },
                session.cookie,
              );
              if (answer.result?.ok) {
                mine.at.push(performance.now());
                committed++;
              } else {
                failed++;
                firstFailure ||= `${answer.status} ${answer.result?.error?.message ?? answer.body.slice(0, 200)}`;
              }
            }
          }),
        );
        const writeSeconds = (performance.now() - start) / 1000;

        // A writer's mutations commit one after another, so its task's events in id order are its mutations'.
        const byTask = await eventsOfTasks([...answered.keys()]);
        let withoutOne = 0;
        const expectedByWorkspace = new Map<string, Map<string, number>>();
        for (const [taskId, { at, workspaceId }] of answered) {
          const events = byTask.get(taskId) ?? [];
          withoutOne += Math.abs(events.length - at.length);
          const mine = expectedByWorkspace.get(workspaceId) ?? new Map<string, number>();
          for (const [k, eventId] of events.entries()) mine.set(eventId, at[k] ?? Number.NaN);
          expectedByWorkspace.set(workspaceId, mine);
        }
        const expectedOf = (s: number) => expectedByWorkspace.get(subscriberSessions[s]!.workspaceId) ?? new Map();
        const drainSeconds = await drain(subscribers, expectedOf);
        const delivery = tally(subscribers, expectedOf);
        for (const s of subscribers) s.close();
        const latency = summarizeLatencies(delivery.latencies);
        const throughput = committed / writeSeconds;

        console.log(`
(a) Load: ${WRITERS} writers (${sessions.length} accounts, 2 workspaces) × ${MUTATIONS} tracked mutations over HTTP (createTaskAction, then
updateTaskAction on that task), ${SUBSCRIBERS} SSE subscribers,
load average ${fixed(loadBefore, 2)} before the writes
${formatTable(
  ["measure", "value"],
  [
    ["committed mutations (ok answers)", count(committed)],
    ["failed posts", `${count(failed)}${firstFailure ? ` (first: ${firstFailure})` : ""}`],
    ["write time (s)", fixed(writeSeconds, 2)],
    ["throughput (mutations/s)", fixed(throughput, 1)],
    ["committed mutations without exactly one event (db)", count(withoutOne)],
    ["deliveries expected (subscribers × their workspace's events)", count(delivery.expected)],
    ["all delivered, s after the last answer", fixed(drainSeconds, 2)],
    ["answer→stream p50 (ms)", ms(latency.p50)],
    ["answer→stream p99 (ms)", ms(latency.p99)],
    ["answer→stream max (ms)", ms(latency.max)],
    ["lost", count(delivery.lost)],
    ["doubled", count(delivery.doubled)],
    ["other events received", count(delivery.other)],
    ["resets / streams ended by the server", `${delivery.resets} / ${delivery.ended}`],
    ["server RSS with the subscribers (MB)", mb(rssWithSubscribers)],
  ],
)}`);
        results.load = {
          writers: WRITERS,
          mutations: MUTATIONS,
          subscribers: SUBSCRIBERS,
          committed,
          failed,
          firstFailure,
          writeSeconds,
          throughput,
          withoutOne,
          drainSeconds,
          latency,
          lost: delivery.lost,
          doubled: delivery.doubled,
          other: delivery.other,
          resets: delivery.resets,
          ended: delivery.ended,
          rssWithSubscribers,
          loadBefore,
        };
        await sleep(2000);
      }

      // (b) Issue 15: many streams on the one instance, all in Acme (alice's and bob's), written by alice.
      const acme = sessions.filter((s) => s.account.workspace === "Acme");
      const writer = acme[0]!;
      const health = async (probes: number) => {
        const times: number[] = [];
        for (let i = 0; i < probes; i++) {
          const start = performance.now();
          const answer = await request(agent, `${server.baseUrl}/api/health`);
          if (answer.status === 200) times.push(performance.now() - start);
        }
        return Float64Array.from(times).sort();
      };
      /**
       * With BENCH_HTTP_HEAP_SNAPSHOTS=1 and BENCH_NEXT_NODE_ARGS="--heapsnapshot-signal=SIGUSR2
       * --diagnostic-dir=<dir>", the server writes a heap snapshot before the streams open, while they are open and after they
       * closed: what the RSS after close holds, JS objects or memory V8 and the allocator keep.
       */
      const heapSnapshot = async (label: string) => {
        if (process.env.BENCH_HTTP_HEAP_SNAPSHOTS !== "1") return;
        process.kill(server.pid, "SIGUSR2");
        console.log(`heap snapshot requested: ${label}`);
        // Writing it stops the server's event loop; its health check answers again once it is written.
        await sleep(500);
        await request(agent, `${server.baseUrl}/api/health`);
      };
      const rows: string[][] = [];
      const scale: Record<string, unknown>[] = [];
      for (const n of STREAM_COUNTS) {
        // A fresh server, warmed up (each route's code loaded, a few streams opened and closed), so its RSS
        // before the streams is not the garbage of what ran before.
        await server.stop();
        server = await boot();
        for (let i = 0; i < 5; i++) await create(writer, `warm-up ${n} ${i}`);
        const warm = Array.from({ length: 10 }, () => openStream(streamAgent, server.baseUrl, writer.cookie));
        await Promise.all(warm.map((w) => w.ready));
        for (const w of warm) w.close();
        const healthBefore = await health(HEALTH_PROBES);
        await sleep(3000);
        await heapSnapshot(`${n} before`);
        const rssBefore = server.rss();
        const loadBefore = loadavg()[0] ?? 0;
        const openStart = performance.now();
        const streams: Stream[] = [];
        let refused = 0;
        let resetOnOpen = 0;
        let firstRefusal = "";
        await inBatches(n, OPEN_CONCURRENCY, async (i) => {
          const cookie = acme[i % acme.length]!.cookie;
          let stream = openStream(streamAgent, server.baseUrl, cookie);
          try {
            await stream.ready.catch(async (error: unknown) => {
              if (!(error instanceof Error && "code" in error && error.code === "ECONNRESET")) throw error;
              resetOnOpen++;
              stream = openStream(streamAgent, server.baseUrl, cookie);
              await stream.ready;
            });
            streams.push(stream);
          } catch (error) {
            refused++;
            firstRefusal ||= error instanceof Error ? error.message : String(error);
          }
        });
        const openSeconds = (performance.now() - openStart) / 1000;
        await sleep(2000);
        const rssOpen = server.rss();
        await heapSnapshot(`${n} open`);
        const healthOpen = await health(HEALTH_PROBES);

        /** Posts a task through the app; its creation event's id is read from the database afterwards. */
        const viaApp: Poster = {
          healthUrl: `${server.baseUrl}/api/health`,
          async post(label) {
            const outcome = await create(writer, `streams ${n} ${label}`);
            return outcome.ok ? { key: outcome.taskId, at: outcome.at } : null;
          },
          async eventIds(answered) {
            const byTask = await eventsOfTasks([...answered.keys()]);
            const expected = new Map<string, number>();
            for (const [taskId, at] of answered) {
              const eventId = byTask.get(taskId)?.[0];
              if (eventId !== undefined) expected.set(eventId, at);
            }
            return expected;
          },
        };
        const phase = (name: string, events: number, burst: boolean) =>
          runPhase(agent, streams, viaApp, name, events, burst);
        const steadyRun = await phase("steady", STEADY_EVENTS, false);
        const burstRun = await phase("burst", BURST, true);
        // One of the items the streams carried, as the bare server's frame: the same bytes per event.
        const feed = await request(agent, `${server.baseUrl}/api/activity?limit=1`, {
          headers: { Cookie: writer.cookie },
        });
        const sample = (JSON.parse(feed.body) as { items: Record<string, unknown>[] }).items[0] ?? {};

        const rssAfterEvents = server.rss();
        for (const s of streams) s.close();
        await sleep(5000);
        const rssClosed = server.rss();
        await sleep(15_000);
        const rssClosedLater = server.rss();
        await heapSnapshot(`${n} 20 s after close`);
        // RSS that stays up after close is either a leak or V8 keeping its grown heap: open and close the
        // same streams again; a leak climbs each cycle, a kept heap stays level.
        const rssCycles: number[] = [];
        for (let c = 0; c < CYCLES; c++) {
          const again = await inBatches(n, OPEN_CONCURRENCY, async (i) => {
            const stream = openStream(streamAgent, server.baseUrl, acme[i % acme.length]!.cookie);
            await stream.ready.catch(() => {});
            return stream;
          });
          for (const stream of again) stream.close();
          await sleep(5000);
          rssCycles.push(server.rss());
        }
        const perStream = (rssOpen - rssBefore) / Math.max(1, streams.length);
        const steadyLatency = summarizeLatencies(steadyRun.delivery.latencies);
        const burstLatency = summarizeLatencies(burstRun.delivery.latencies);
        rows.push(
          [
            `${count(n)} streams (load average ${fixed(loadBefore, 2)} before)`,
            `${count(streams.length)} open in ${fixed(openSeconds, 1)} s${resetOnOpen ? `, ${resetOnOpen} reset and reopened` : ""}${refused ? `, ${refused} refused (${firstRefusal})` : ""}`,
          ],
          [
            "  server RSS before / open / after the events / 5 s and 20 s after close (MB)",
            `${mb(rssBefore)} / ${mb(rssOpen)} / ${mb(rssAfterEvents)} / ${mb(rssClosed)} / ${mb(rssClosedLater)}`,
          ],
          ["  RSS per open stream (KB)", kb(perStream)],
          [`  RSS 5 s after each of ${CYCLES} more open-and-close cycles (MB)`, rssCycles.map(mb).join(" / ") || "-"],
          [
            "  /api/health p50/p99 before opening (ms)",
            `${ms(percentile(healthBefore, 50))} / ${ms(percentile(healthBefore, 99))}`,
          ],
          [
            "  /api/health p50/p99 while open, idle (ms)",
            `${ms(percentile(healthOpen, 50))} / ${ms(percentile(healthOpen, 99))}`,
          ],
          [
            "  /api/health p50/p99 during steady / burst (ms)",
            `${ms(percentile(steadyRun.health, 50))}/${ms(percentile(steadyRun.health, 99))} · ${ms(percentile(burstRun.health, 50))}/${ms(percentile(burstRun.health, 99))}`,
          ],
          [
            `  steady (${STEADY_EVENTS} events, ${STEADY_GAP_MS} ms apart): answer→stream p50/p99 (ms)`,
            `${ms(steadyLatency.p50)} / ${ms(steadyLatency.p99)} (max ${ms(steadyLatency.max)})`,
          ],
          [
            `  burst (${BURST} posts at once): answer→stream p50/p99 (ms)`,
            `${ms(burstLatency.p50)} / ${ms(burstLatency.p99)} (max ${ms(burstLatency.max)})`,
          ],
          [
            "  lost / doubled / resets / ended (steady + burst)",
            [
              steadyRun.delivery.lost + burstRun.delivery.lost,
              steadyRun.delivery.doubled + burstRun.delivery.doubled,
              steadyRun.delivery.resets + burstRun.delivery.resets,
              Math.max(steadyRun.delivery.ended, burstRun.delivery.ended),
            ].join(" / "),
          ],
          [
            "  deliveries expected (steady + burst); failed posts",
            `${count(steadyRun.delivery.expected + burstRun.delivery.expected)}; ${steadyRun.failed + burstRun.failed}`,
          ],
        );
        const bare = BARE ? await bareBaseline(n, sample) : null;
        if (bare) {
          const bareSteady = summarizeLatencies(bare.steady.delivery.latencies);
          const bareBurst = summarizeLatencies(bare.burst.delivery.latencies);
          const ratio = (kit: number, base: number) => (base > 0 ? `${fixed(kit / base, 1)}×` : "-");
          rows.push(
            [
              "  baseline, the same streams on plain node:http (no Next, no kit, no database): steady / burst p50/p99 (ms)",
              `${ms(bareSteady.p50)}/${ms(bareSteady.p99)} · ${ms(bareBurst.p50)}/${ms(bareBurst.p99)}; ${bare.steady.delivery.lost + bare.burst.delivery.lost} lost, ${bare.steady.delivery.doubled + bare.burst.delivery.doubled} doubled`,
            ],
            [
              "  baseline: /api/health p50/p99 during steady / burst (ms)",
              `${ms(percentile(bare.steady.health, 50))}/${ms(percentile(bare.steady.health, 99))} · ${ms(percentile(bare.burst.health, 50))}/${ms(percentile(bare.burst.health, 99))}`,
            ],
            [
              "  the kit ÷ baseline: steady p99, burst p99, health p99 during the burst",
              [
                ratio(steadyLatency.p99, bareSteady.p99),
                ratio(burstLatency.p99, bareBurst.p99),
                ratio(percentile(burstRun.health, 99), percentile(bare.burst.health, 99)),
              ].join(", "),
            ],
          );
        }
        scale.push({
          streams: n,
          opened: streams.length,
          refused,
          resetOnOpen,
          firstRefusal,
          openSeconds,
          loadBefore,
          rssBefore,
          rssOpen,
          rssAfterEvents,
          rssClosed,
          rssClosedLater,
          rssCycles,
          perStream,
          health: {
            before: { p50: percentile(healthBefore, 50), p99: percentile(healthBefore, 99) },
            open: { p50: percentile(healthOpen, 50), p99: percentile(healthOpen, 99) },
            steady: { p50: percentile(steadyRun.health, 50), p99: percentile(steadyRun.health, 99) },
            burst: { p50: percentile(burstRun.health, 50), p99: percentile(burstRun.health, 99) },
          },
          steady: { ...steadyRun.delivery, latencies: undefined, latency: steadyLatency, failed: steadyRun.failed },
          burst: { ...burstRun.delivery, latencies: undefined, latency: burstLatency, failed: burstRun.failed },
          baseline: bare && {
            steady: {
              ...bare.steady.delivery,
              latencies: undefined,
              latency: summarizeLatencies(bare.steady.delivery.latencies),
            },
            burst: {
              ...bare.burst.delivery,
              latencies: undefined,
              latency: summarizeLatencies(bare.burst.delivery.latencies),
            },
            health: {
              steady: { p50: percentile(bare.steady.health, 50), p99: percentile(bare.steady.health, 99) },
              burst: { p50: percentile(bare.burst.health, 50), p99: percentile(bare.burst.health, 99) },
            },
          },
        });
        await sleep(2000);
      }
      if (rows.length) {
        console.log(`
(b) Streams on one instance (alice's and bob's, Acme; alice writes), RSS of next start's process tree (VmRSS)
${formatTable(["measure", "value"], rows)}`);
        results.streams = scale;
      }
      writeResults(context, "http", { rssAtStart, ...results });
    } catch (error) {
      console.error(`next start's last output:\n${server.output()}`);
      throw error;
    } finally {
      agent.destroy();
      streamAgent.destroy();
      await server.stop();
      await seedHandle.close();
    }
  },
};
