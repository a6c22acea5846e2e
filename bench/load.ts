/**
 * The attack suite's load case (issue 13): 50 concurrent writers × 200 tracked mutations each, with 200
 * live subscribers on the kit's hub. It checks, rather than times: every committed mutation has exactly
 * one event, a rolled-back one none, and every subscriber received every event exactly once; then it
 * prints the throughput and the commit-to-subscriber delivery p50/p99.
 *
 * The subscribers are the kit's in-process hub (`createLiveHub`, the one the stream route serves), not
 * SSE over `next start`: 200 HTTP streams and 10,000 server-action POSTs through one Next process on this
 * two-core machine would measure Next's request handling, and the HTTP layer's own delivery is covered by
 * e2e (the live feed in e2e/activity.spec.ts, the stream in e2e/attack-matrix.spec.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import { type Actor, createActivityKit, createLiveHub, sequenceOnce } from "@/lib/activity";
import { catalogue, trackedTables } from "@/lib/activity-kit";
import { type Database, openPostgres, rowsOf } from "@/lib/db/client";
import { tasks } from "@/lib/db/schema";
import { withParameters } from "./lib/server";
import { summarizeLatencies } from "./lib/stats";
import { COMMIT_MODES, type Suite, type SuiteContext, writeResults } from "./lib/suite";
import { count, fixed } from "./lib/table";

const WRITERS = Number(process.env.BENCH_LOAD_WRITERS ?? 50);
const MUTATIONS = Number(process.env.BENCH_LOAD_MUTATIONS ?? 200);
const SUBSCRIBERS = Number(process.env.BENCH_LOAD_SUBSCRIBERS ?? 200);
/** Every ROLLBACK_EVERY-th mutation of a writer throws after its write: it must leave no event. */
const ROLLBACK_EVERY = 25;
const HUB_POOL = 2;
const DRAIN_TIMEOUT_MS = 120_000;
const SECRET = "bench-secret-0123456789";

class Rollback extends Error {}

const makeKit = (db: Database) => createActivityKit({ db: () => db, catalogue, tables: trackedTables, secret: SECRET });

interface Subscriber {
  received: Map<string, number>;
  doubled: number;
}

export const load: Suite = {
  name: "load",
  description: `${WRITERS} writers × ${MUTATIONS} tracked mutations with ${SUBSCRIBERS} live subscribers: lost, doubled, delivery p50/p99`,

  estimateSeconds() {
    return 120;
  },

  async run(context: SuiteContext) {
    const mode = context.options.modes[0] ?? "durable";
    const writers = await openPostgres(
      withParameters(context.databaseUrl, { ...COMMIT_MODES[mode], application_name: "activity-kit-bench" }),
      { max: WRITERS },
    );
    const hubHandle = await openPostgres(context.databaseUrl, { max: HUB_POOL });
    const kit = makeKit(writers.db);
    const hubKit = makeKit(hubHandle.db);
    const hub = createLiveHub({
      db: () => hubHandle.db,
      listen: (channel, onMessage, onReconnect) => hubHandle.listen(channel, onMessage, onReconnect),
      toItems: hubKit.toItems,
    });
    try {
      const [workspace] = rowsOf<{ id: number }>(
        await writers.db.execute(
          sql`INSERT INTO workspaces (name, slug) VALUES ('Bench load', 'bench-load') RETURNING id`,
        ),
      );
      const [user] = rowsOf<{ id: number }>(
        await writers.db.execute(sql`INSERT INTO users (email, name) VALUES ('load@example.com', 'Load') RETURNING id`),
      );
      const workspaceId = workspace!.id;
      const actor: Actor = { type: "user", id: user!.id, name: "Load", workspaceId };

      // The baseline, measured in this run: the same writes with no hub and no subscriber, in a workspace of
      // their own, sequenced before the subscribers start (so none of it reaches them).
      const [baseWorkspace] = rowsOf<{ id: number }>(
        await writers.db.execute(
          sql`INSERT INTO workspaces (name, slug) VALUES ('Bench load base', 'bench-load-base') RETURNING id`,
        ),
      );
      const baseActor: Actor = { ...actor, workspaceId: baseWorkspace!.id };
      const baselineStart = performance.now();
      await Promise.all(
        Array.from({ length: WRITERS }, (_, w) =>
          (async () => {
            const [task] = await kit.withTracking(actor, "insert", `base w${w} m0`, (tx) =>
              tx
                .insert(tasks)
                .values({ workspaceId, title: `base w${w}` })
                .returning({ id: tasks.id }),
            );
            for (let m = 1; m < MUTATIONS; m++) {
              if (m % ROLLBACK_EVERY === 0) continue;
              await kit.withTracking(baseActor, "update", `base w${w} m${m}`, (tx) =>
                tx
                  .update(tasks)
                  .set({ title: `base ${m}` })
                  .where(eq(tasks.id, task!.id))
                  .returning({ id: tasks.id }),
              );
            }
          })(),
        ),
      );
      const baselineSeconds = (performance.now() - baselineStart) / 1000;
      while (Object.keys(await sequenceOnce(hubHandle.db)).length > 0) {}

      const subscribers: Subscriber[] = Array.from({ length: SUBSCRIBERS }, () => ({
        received: new Map(),
        doubled: 0,
      }));
      for (const s of subscribers) {
        await hub.subscribe({
          workspaceId: String(workspaceId),
          filters: {},
          after: null,
          send: (item) => {
            if (s.received.has(item.subject)) s.doubled++;
            else s.received.set(item.subject, performance.now());
          },
          close() {},
        });
      }

      const committed = new Map<string, number>();
      const rolledBack = new Set<string>();
      const writer = async (w: number) => {
        const [task] = await kit.withTracking(actor, "insert", `load w${w} m0`, (tx) =>
          tx
            .insert(tasks)
            .values({ workspaceId, title: `load w${w}` })
            .returning({ id: tasks.id }),
        );
        committed.set(`load w${w} m0`, performance.now());
        for (let m = 1; m < MUTATIONS; m++) {
          const subject = `load w${w} m${m}`;
          const rollback = m % ROLLBACK_EVERY === 0;
          try {
            await kit.withTracking(actor, "update", subject, async (tx) => {
              const rows = await tx
                .update(tasks)
                .set({ title: subject })
                .where(eq(tasks.id, task!.id))
                .returning({ id: tasks.id });
              if (rollback) throw new Rollback();
              return rows;
            });
            committed.set(subject, performance.now());
          } catch (error) {
            if (!(error instanceof Rollback)) throw error;
            rolledBack.add(subject);
          }
        }
      };

      console.log(`
Load: ${WRITERS} writers (a pool of ${WRITERS} connections, ${mode} commits) × ${MUTATIONS} tracked mutations (one insert, then
updates of the writer's task; every ${ROLLBACK_EVERY}th throws after its update and must leave no event), ${SUBSCRIBERS}
subscribers on the kit's in-process live hub (its sequencer, one LISTEN connection, fan-out), all in this process.`);
      const start = performance.now();
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      const writeSeconds = (performance.now() - start) / 1000;

      const deadline = performance.now() + DRAIN_TIMEOUT_MS;
      const allDelivered = () => subscribers.every((s) => s.received.size >= committed.size);
      while (!allDelivered() && performance.now() < deadline) await sleep(5);
      const drainSeconds = (performance.now() - start) / 1000;
      // Anything doubled or phantom arrives late: give the hub a few more ticks before counting.
      await sleep(500);

      const perSubject = rowsOf<{ subject: string; n: number }>(
        await writers.db.execute(sql`
          SELECT subject, count(*)::int AS n FROM activity_events
          WHERE workspace_id = ${String(workspaceId)} AND subject LIKE 'load w%' GROUP BY subject`),
      );
      const eventsOf = new Map(perSubject.map((r) => [r.subject, r.n]));
      const withoutEvent = [...committed.keys()].filter((s) => eventsOf.get(s) !== 1).length;
      const eventOfRollback = [...rolledBack].filter((s) => eventsOf.has(s)).length;
      const doubledInDb = perSubject.filter((r) => r.n > 1).length;

      let lost = 0;
      let doubled = 0;
      let phantom = 0;
      const latencies = new Float64Array(committed.size * SUBSCRIBERS);
      let n = 0;
      for (const s of subscribers) {
        doubled += s.doubled;
        for (const [subject, at] of committed) {
          const got = s.received.get(subject);
          if (got === undefined) lost++;
          else latencies[n++] = got - at;
        }
        for (const subject of s.received.keys()) if (!committed.has(subject)) phantom++;
      }
      const delivery = summarizeLatencies(latencies.subarray(0, n));
      const throughput = committed.size / writeSeconds;
      const baseline = (WRITERS * (MUTATIONS - Math.floor((MUTATIONS - 1) / ROLLBACK_EVERY))) / baselineSeconds;

      const ok = withoutEvent === 0 && eventOfRollback === 0 && doubledInDb === 0 && lost + doubled + phantom === 0;
      console.log(`
  committed ${count(committed.size)} mutations, rolled back ${count(rolledBack.size)}, in ${fixed(writeSeconds, 2)} s: ${fixed(throughput, 0)} tracked mutations/s,
            ${fixed(throughput / baseline, 2)}× the same writers with no hub and no subscriber (${fixed(baseline, 0)}/s, this run)
  events    ${withoutEvent} committed mutations without exactly one event, ${eventOfRollback} rolled-back ones with an event
  delivery  ${count(n)} deliveries (${SUBSCRIBERS} subscribers × ${count(committed.size)} events), all delivered ${fixed(drainSeconds, 2)} s after the first write
            commit to subscriber p50 ${fixed(delivery.p50, 1)} ms, p99 ${fixed(delivery.p99, 1)} ms, max ${fixed(delivery.max, 1)} ms
  lost ${lost}, doubled ${doubled}, phantom ${phantom}   ${ok ? "✓ every committed mutation has one event, every subscriber got each once" : "✗ SEE ABOVE"}`);
      writeResults(context, "load", {
        writers: WRITERS,
        mutations: MUTATIONS,
        subscribers: SUBSCRIBERS,
        mode,
        committed: committed.size,
        rolledBack: rolledBack.size,
        writeSeconds,
        drainSeconds,
        throughput,
        baseline,
        delivery,
        withoutEvent,
        eventOfRollback,
        doubledInDb,
        lost,
        doubled,
        phantom,
      });
      if (!ok) process.exitCode = 1;
    } finally {
      await hub.stop();
      await hubHandle.close();
      await writers.close();
    }
  },
};
