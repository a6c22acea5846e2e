/**
 * The sequencer with a transaction left open: `npm run bench -- sequencer`.
 *
 * A transaction that began before a stretch of writes and stays open (idle in transaction, a stuck job, a
 * long report) holds back the cluster's oldest running transaction. A tick that looked for new events from
 * there on (the horizon kept before base version 3) rescanned every event written since, every 25 ms. The
 * tick now looks from its last busy snapshot's xmax and probes the still-running transactions one by one.
 *
 * For each size of that stretch, with the long transaction open: the tick's time (`sequenceOnce` with a few
 * new events), the same without a long transaction, and the horizon query's candidate scan alone (what each
 * old tick paid before numbering anything), side by side in the same run.
 */
import { sql } from "drizzle-orm";
import { sequenceOnce } from "@/lib/activity/sequencer";
import { openPostgres, rowsOf } from "@/lib/db/client";
import { median, percentile } from "./lib/stats";
import { type Suite, type SuiteContext, writeResults } from "./lib/suite";
import { count, fixed, formatTable } from "./lib/table";

const STRETCHES = [10_000, 100_000, 400_000];
const TICKS = 40;
const NEW_PER_TICK = 20;

type Db = Awaited<ReturnType<typeof openPostgres>>["db"];

const insertEvents = (db: Db, n: number) =>
  db.execute(sql`
    INSERT INTO activity_events (workspace_id, actor_type, actor_label, action, subject)
    SELECT '1', 'system', 'bench', 'insert', 'bench ' || g FROM generate_series(1, ${n}) AS g`);

async function timeTicks(db: Db): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < TICKS; i++) {
    await insertEvents(db, NEW_PER_TICK);
    const start = performance.now();
    await sequenceOnce(db);
    times.push(performance.now() - start);
  }
  return times;
}

async function timeHorizonScan(db: Db, horizon: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    await db.execute(sql`
      SELECT count(*) FROM (
        SELECT e.id FROM activity_events AS e
         WHERE e.tx_id >= ${horizon}::bigint
           AND NOT EXISTS (SELECT 1 FROM activity_sequence AS s WHERE s.event_id = e.id)
         ORDER BY e.id LIMIT 5000) AS batch`);
    times.push(performance.now() - start);
  }
  return times;
}

export const sequencer: Suite = {
  name: "sequencer",
  description: "tick time with a transaction left open, against the horizon scan it replaced",
  estimateSeconds: () => 90,
  async run(context: SuiteContext) {
    const handle = await openPostgres(context.databaseUrl, { max: 2 });
    const held = await openPostgres(context.databaseUrl, { max: 1 });
    const rows: string[][] = [];
    const results: Record<string, unknown>[] = [];
    try {
      let written = 0;
      for (const stretch of STRETCHES) {
        await handle.db.execute(sql`TRUNCATE activity_sequence, activity_heads`);
        await handle.db.execute(sql`DELETE FROM activity_sequencer`);
        await sequenceOnce(handle.db); // numbers what earlier stretches left, so only this one counts
        // The long transaction: an xid of its own, then idle in transaction while the stretch is written.
        let release!: () => void;
        const hold = new Promise<void>((r) => {
          release = r;
        });
        let begun!: (xid: number) => void;
        const xidOf = new Promise<number>((r) => {
          begun = r;
        });
        const open = held.db
          .transaction(async (tx) => {
            const [row] = rowsOf<{ xid: string }>(await tx.execute(sql`select pg_current_xact_id()::text as xid`));
            begun(Number(row!.xid));
            await hold;
          })
          .catch(() => {});
        const longXid = await xidOf;
        for (let done = 0; done < stretch; done += 50_000) {
          await insertEvents(handle.db, Math.min(50_000, stretch - done));
          await sequenceOnce(handle.db);
        }
        while (Object.keys(await sequenceOnce(handle.db)).length > 0) {}
        written += stretch;
        await handle.db.execute(sql`VACUUM ANALYZE activity_events`);
        await handle.db.execute(sql`VACUUM ANALYZE activity_sequence`);
        const withOpen = await timeTicks(handle.db);
        const horizonScan = await timeHorizonScan(handle.db, longXid);
        release();
        await open;
        const withoutOpen = await timeTicks(handle.db);
        const p = (times: number[], q: number) =>
          percentile(
            [...times].sort((a, b) => a - b),
            q,
          );
        rows.push([
          count(stretch),
          fixed(median(withOpen), 2),
          fixed(p(withOpen, 99), 2),
          fixed(median(withoutOpen), 2),
          fixed(median(horizonScan), 2),
          fixed(median(horizonScan) / median(withOpen), 1),
        ]);
        results.push({ stretch, withOpen, withoutOpen, horizonScan, eventsInTable: written });
      }
    } finally {
      await held.close();
      await handle.close();
    }
    console.log(
      `\nsequencer: a tick (${NEW_PER_TICK} new events) while a transaction that began before the stretch stays open\n`,
    );
    console.log(
      formatTable(
        [
          "events since it began",
          "tick p50 ms (open)",
          "tick p99 ms (open)",
          "tick p50 ms (none open)",
          "horizon scan p50 ms",
          "horizon ÷ tick",
        ],
        rows,
      ),
    );
    console.log(
      "\nThe horizon scan is only the candidate search the old tick ran first (from the oldest running transaction); the tick is the whole tick now.",
    );
    writeResults(context, "sequencer", { ticks: TICKS, newPerTick: NEW_PER_TICK, results });
  },
};
