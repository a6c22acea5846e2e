import { eq, sql } from "drizzle-orm";
import { PARTITION_MONTHS_AHEAD } from "./base-sql";
import type { AnyDatabase } from "./database";
import { NOT_NUMBERED } from "./event-rows";
import { rowsOf } from "./rows";
import { activityHeads } from "./schema";
import { type PeriodicCheckpoints, sealPending, takePeriodicCheckpoints, unsealedWorkspaces } from "./seal";

/** The channel of the one notification the sequencer sends per batch. */
export const SEQUENCED_CHANNEL = "activity_sequenced";

// Any fixed key: only one process in the database sequences at a time (per tick).
const LEADER_LOCK = 7_318_442_905;
const BATCH = 5_000;

/** The workspace's latest sequence number (0 before its first event is sequenced). */
export async function readHead(db: AnyDatabase, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ seq: activityHeads.seq })
    .from(activityHeads)
    .where(eq(activityHeads.workspaceId, workspaceId));
  return row?.seq ?? 0;
}

/**
 * One tick of the sequencer: gives every committed event that has no sequence number yet the next number
 * of its workspace's log, in the order the tick sees them, then sends one notification for the batch.
 * Nothing of this is on the writers' path: they only insert their event.
 *
 * Finding the new events: `tx_id` is the writing transaction's id. A tick stores what its snapshot saw:
 * `snapshot_xmax` (no transaction from it on had begun) and `snapshot_xip` (those still running). Every
 * other transaction before it had committed or aborted then, so its events were sequenced by that tick;
 * the next tick looks only at events of transactions from `snapshot_xmax` on and of those in
 * `snapshot_xip`, through the index on `tx_id`. A transaction left open for hours (in any database of the
 * cluster) is one entry of `snapshot_xip`, one index probe per tick: it does not make the ticks grow, as a
 * horizon at the oldest running transaction would (every tick would rescan everything written since).
 *
 * Leadership: each tick takes a transaction-level advisory lock first; of several app instances, one
 * sequences at a time, and if it dies another takes over on its next tick. The lock is taken in its own
 * statement so the work that follows sees everything the previous leader committed.
 *
 * Lag: each entry records how far its event's time lies behind the latest time numbered up to it in its
 * workspace (0 for an event in time order; the head keeps that latest time), which lets a page of a date
 * range find where the range lies in the sequence (feed.ts).
 *
 * Sealing: in the same transaction, after numbering, the new numbers get their seals (seal.ts), so an
 * event is sealed when it becomes visible in sequence order, and the leader lock keeps the chain from
 * forking. `catchUp` also seals workspaces whose numbers ran ahead of their seals (after an upgrade).
 *
 * Returns the workspaces that advanced, with their new head.
 */
export async function sequenceOnce(db: AnyDatabase, options: TickOptions = {}): Promise<Record<string, number>> {
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ leader: boolean }>(
      await tx.execute(sql`select pg_try_advisory_xact_lock(${LEADER_LOCK}) as leader`),
    );
    if (!lock?.leader) return {};
    // Read first and passed as values, so the planner sees how recent they are and uses the index on tx_id.
    // (`snapshot_xmax` is null where a base before version 3 left only `horizon`, an older tick's oldest running
    // transaction: from there on, as that tick did.)
    const [state] = rowsOf<{ xmax: number | string | null; xip: string | null }>(
      await tx.execute(
        sql`select coalesce(snapshot_xmax, horizon) as xmax, coalesce(snapshot_xip, '{}')::text as xip from activity_sequencer where id = 1`,
      ),
    );
    const xmax = Number(state?.xmax ?? 0);
    const xip = state?.xip ?? "{}";
    const [row] = rowsOf<{ heads: Record<string, number | string> | null }>(
      await tx.execute(sql`
        WITH batch AS (
          SELECT e.id, e.workspace_id, e.actor_id, e.occurred_at
            FROM activity_events AS e
           WHERE (e.tx_id >= ${xmax}::bigint OR e.tx_id = ANY (${xip}::bigint[]))
             AND ${NOT_NUMBERED}
           ORDER BY e.id
           LIMIT ${BATCH}
        ), numbered AS (
          SELECT b.id, b.workspace_id, b.actor_id, b.occurred_at,
                 coalesce(h.seq, 0) + row_number() OVER w AS seq,
                 greatest(h.latest_at, max(b.occurred_at) OVER w) AS latest_at
            FROM batch AS b LEFT JOIN activity_heads AS h ON h.workspace_id = b.workspace_id
          WINDOW w AS (PARTITION BY b.workspace_id ORDER BY b.id)
        ), inserted AS (
          INSERT INTO activity_sequence (workspace_id, seq, event_id, actor_id, occurred_at, lag_ms)
          SELECT workspace_id, seq, id, actor_id, occurred_at,
                 (extract(epoch FROM latest_at - occurred_at) * 1000)::bigint
            FROM numbered
          RETURNING workspace_id, seq
        ), heads AS (
          INSERT INTO activity_heads (workspace_id, seq, latest_at)
          SELECT workspace_id, max(seq), max(latest_at) FROM numbered GROUP BY workspace_id
          ON CONFLICT (workspace_id) DO UPDATE SET seq = excluded.seq, latest_at = excluded.latest_at
          RETURNING workspace_id, seq
        ), advanced AS (
          -- What this snapshot saw, written when the tick sequenced something (it writes then anyway) and the
          -- batch was not full (a full batch leaves work behind: the next tick looks where this one did). An
          -- idle tick writes nothing, and looks again where the last busy one left off: only newer events.
          INSERT INTO activity_sequencer (id, horizon, snapshot_xmax, snapshot_xip)
          SELECT 1, pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
                 pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
                 ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) AS x)
           WHERE (SELECT count(*) FROM batch) BETWEEN 1 AND ${BATCH - 1}
          ON CONFLICT (id) DO UPDATE SET horizon = excluded.horizon, snapshot_xmax = excluded.snapshot_xmax,
                                          snapshot_xip = excluded.snapshot_xip
        )
        SELECT json_object_agg(workspace_id, seq) AS heads FROM heads`),
    );
    const heads = Object.fromEntries(Object.entries(row?.heads ?? {}).map(([w, s]) => [w, Number(s)]));
    if (options.seal !== false) {
      const workspaces = new Set([...Object.keys(heads), ...sealBacklog]);
      if (options.catchUp) for (const w of await unsealedWorkspaces(tx)) workspaces.add(w);
      const { ends, more } = await sealPending(tx, [...workspaces]);
      sealBacklog.clear();
      for (const w of more) sealBacklog.add(w);
      if (options.checkpoints !== false) await takePeriodicCheckpoints(tx, ends, options.checkpoints);
    }
    if (Object.keys(heads).length > 0) {
      const payload = JSON.stringify(heads);
      // NOTIFY payloads stop at 8000 bytes: past that, listeners re-read the heads themselves.
      await tx.execute(sql`select pg_notify(${SEQUENCED_CHANNEL}, ${payload.length < 7900 ? payload : "*"})`);
    }
    return heads;
  });
}

export interface TickOptions {
  /**
   * false: number without sealing. Only for the bench that compares the writers' throughput with and
   * without it; a log numbered this way fails verify until a tick with `catchUp` seals it.
   */
  seal?: boolean;
  /** Also seal the workspaces whose numbers ran ahead of their seals (the sequencer does every few seconds). */
  catchUp?: boolean;
  /** When the sequencer takes `periodic` checkpoints (default: every 10,000 events or 60 minutes); false: never. */
  checkpoints?: PeriodicCheckpoints | false;
}

// Workspaces whose last tick left seals to write (more than a tick's batch): sealed on the next ones.
const sealBacklog = new Set<string>();
// Ticks between two catch-up looks (at the default interval, every 5 s); the first tick looks too.
const CATCH_UP_EVERY = 200;

export interface SequencerOptions extends Omit<TickOptions, "catchUp"> {
  /** Milliseconds between ticks (default 25). */
  intervalMs?: number;
  /**
   * Milliseconds between two calls of `ensurePartitions` (default an hour; the first tick calls it); false:
   * never (the host runs `activity_partitions_ensure` on a schedule of its own).
   */
  partitionsEveryMs?: number | false;
}

/** How often the sequencer keeps the events' next months partitioned. */
export const PARTITIONS_EVERY_MS = 3_600_000;

/**
 * Makes the events table's missing months (this one and PARTITION_MONTHS_AHEAD ahead, and any month the
 * default partition holds rows of) with `activity_partitions_ensure`, under the sequencer's leader lock so
 * one process does it. Returns how many partitions it made, or null when another process holds the lock.
 * Making a partition locks the events table (ACCESS EXCLUSIVE, for a moment): `lock_timeout` keeps a
 * long-running reader of the table from queueing every writer behind it; then it fails and is tried later.
 */
export async function ensurePartitions(
  db: AnyDatabase,
  options: { monthsAhead?: number; lockTimeoutMs?: number } = {},
): Promise<number | null> {
  const { monthsAhead = PARTITION_MONTHS_AHEAD, lockTimeoutMs = 2_000 } = options;
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ leader: boolean }>(
      await tx.execute(sql`select pg_try_advisory_xact_lock(${LEADER_LOCK}) as leader`),
    );
    if (!lock?.leader) return null;
    await tx.execute(sql`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`);
    const [row] = rowsOf<{ made: number | string }>(
      await tx.execute(sql`select activity_partitions_ensure(${monthsAhead}::integer) as made`),
    );
    return Number(row?.made ?? 0);
  });
}

export interface Sequencer {
  stop(): Promise<void>;
}

/** Runs `sequenceOnce` every `intervalMs` (default 25 ms) until stopped. Errors are logged and retried. */
export function startSequencer(
  db: () => AnyDatabase | Promise<AnyDatabase>,
  options: number | SequencerOptions = {},
): Sequencer {
  const {
    intervalMs = 25,
    partitionsEveryMs = PARTITIONS_EVERY_MS,
    ...tickOptions
  } = typeof options === "number" ? { intervalMs: options } : options;
  let ticks = 0;
  let partitionsAt: number | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let failures = 0;
  const tick = async () => {
    try {
      await sequenceOnce(await db(), { ...tickOptions, catchUp: ticks++ % CATCH_UP_EVERY === 0 });
      failures = 0;
    } catch (error) {
      failures += 1;
      // One line per streak of failures, not one per tick (a database restart would flood the log).
      if (failures === 1) console.error("activity sequencer: tick failed, retrying", error);
    }
    if (partitionsEveryMs !== false && failures === 0 && !stopped) {
      const now = Date.now();
      if (partitionsAt === undefined || now - partitionsAt >= partitionsEveryMs) {
        try {
          // Another process leading now: tried again on the next tick, until one of them has done it.
          if ((await ensurePartitions(await db())) !== null) partitionsAt = now;
        } catch (error) {
          partitionsAt = now;
          console.error("activity sequencer: keeping the events' partitions failed, trying again later", error);
        }
      }
    }
    if (!stopped) timer = setTimeout(loop, failures > 0 ? Math.min(5_000, intervalMs * 2 ** failures) : intervalMs);
  };
  const loop = () => {
    running = tick();
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
