/**
 * A large feed, fast: one workspace of N events (and a smaller second one sharing the table and indexes),
 * written with INSERT ... SELECT generate_series, every event sequenced, then VACUUM ANALYZE. Used by the
 * feed and audit suites.
 */
import { sql } from "drizzle-orm";
import { type Database, rowsOf } from "@/lib/db/client";
import { count, fixed } from "./table";

export const SEED = {
  /** Events of a second workspace, in the same table and indexes. */
  otherEvents: 50_000,
  actors: 50,
  /** Tasks of the measured workspace: about events / records events each. */
  records: 100_000,
  otherRecords: 5_000,
  spanSeconds: 365 * 24 * 3600,
  /** Events per INSERT ... SELECT statement while seeding. */
  chunk: 250_000,
} as const;

export interface Fixture {
  workspaceId: number;
  otherWorkspaceId: number;
  /** The id of the workspace's first task: its tasks are firstTask .. firstTask + records - 1. */
  firstTask: number;
  events: number;
  /** When the newest event happened; the oldest is about a year before. */
  t0: Date;
  seedSeconds: number;
  sizes: { table: string; indexes: Record<string, string> };
}

export const firstRow = <T>(result: unknown): T => {
  const [row] = rowsOf<T>(result);
  if (!row) throw new Error("the query returned no row");
  return row;
};

/** A few tasks per workspace, inserted without events (capture skipped), for the records the events name. */
async function insertTasks(db: Database, workspaceId: number, n: number): Promise<number> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('activity.mode', 'skip', true)`);
    await tx.execute(sql`INSERT INTO tasks (workspace_id, title)
      SELECT ${workspaceId}::int, 'Task ' || g FROM generate_series(1, ${n}::int) AS g`);
  });
  return firstRow<{ id: number }>(
    await db.execute(sql`SELECT min(id)::int AS id FROM tasks WHERE workspace_id = ${workspaceId}::int`),
  ).id;
}

/**
 * Events `from..to` of a workspace of `n`: the newest has the highest id, times spread evenly over a year
 * back from `t0` in steps shared by three events each (ties to the millisecond), actors among 50, actions
 * 5% task.cancelled, 15% delete, 30% insert, 50% update, about ten events per record, each with the small
 * change list the capture trigger writes.
 */
function insertEvents(
  workspaceId: number,
  t0: Date,
  n: number,
  range: [from: number, to: number],
  firstTask: number,
  records: number,
) {
  const step = (SEED.spanSeconds * 3) / n;
  // A well-mixed non-negative number per event and salt, below `mod`.
  const h = (salt: number, mod: number) => sql.raw(`((hashint4(g + ${salt})::bigint + 2147483648) % ${mod})`);
  return sql`INSERT INTO activity_events (workspace_id, occurred_at, actor_type, actor_id, actor_label, action, subject,
                                          record_type, record_id, changes, metadata)
    SELECT ${String(workspaceId)}::text,
           date_trunc('milliseconds',
             ${t0.toISOString()}::timestamptz - ((${n}::int - g) / 3) * make_interval(secs => ${step}::float8)),
           'user', x.actor::text, 'User ' || x.actor, x.action, 'task Task ' || x.record, 'task', x.record::text,
           jsonb_build_array(CASE
             WHEN x.action IN ('insert', 'delete') THEN jsonb_build_object('type', 'task', 'id', x.record::text,
               'op', x.action, 'row', jsonb_build_object('id', x.record, 'title', 'Task ' || x.record, 'status', 'todo'))
             WHEN x.action = 'task.cancelled' THEN jsonb_build_object('type', 'task', 'id', x.record::text,
               'op', 'update', 'changes', jsonb_build_object('status', jsonb_build_array('doing', 'cancelled')))
             ELSE jsonb_build_object('type', 'task', 'id', x.record::text,
               'op', 'update', 'changes', jsonb_build_object('status', jsonb_build_array('todo', 'doing')))
           END),
           CASE WHEN x.action = 'task.cancelled' THEN '{"reason": "no longer needed"}'::jsonb ELSE '{}'::jsonb END
      FROM generate_series(${range[0]}::int, ${range[1]}::int) AS g,
      LATERAL (SELECT ${h(0, SEED.actors)} + 1 AS actor,
                      ${firstTask}::int + ${h(1_000_003, records)} AS record,
                      CASE WHEN ${h(2_000_003, 100)} < 5 THEN 'task.cancelled'
                           WHEN ${h(2_000_003, 100)} < 20 THEN 'delete'
                           WHEN ${h(2_000_003, 100)} < 50 THEN 'insert'
                           ELSE 'update' END AS action) AS x`;
}

export interface SeedOptions {
  /** Events of the measured workspace. */
  events: number;
  /** Names this suite in the progress lines (stderr). */
  label: string;
  /** The measured workspace's name and slug. */
  workspace?: { name: string; slug: string };
  /**
   * Runs after the events are written and before they are sequenced and vacuumed: extra rows the suite
   * needs land in the same sequence and statistics.
   */
  extra?: (db: Database, fixture: Omit<Fixture, "seedSeconds" | "sizes">) => Promise<void>;
}

export async function seedFeed(db: Database, options: SeedOptions): Promise<Fixture> {
  const { events, label } = options;
  const workspace = options.workspace ?? { name: "Bench feed", slug: "bench-feed" };
  const started = performance.now();
  const progress = (what: string) =>
    process.stderr.write(`  ${label} seed: ${what} (${fixed((performance.now() - started) / 1000, 1)} s)\n`);
  const [main, other] = rowsOf<{ id: number }>(
    await db.execute(sql`INSERT INTO workspaces (name, slug) VALUES (${workspace.name}, ${workspace.slug}),
      ('Other', 'other') RETURNING id`),
  );
  if (!main || !other) throw new Error("no workspaces");
  const firstTask = await insertTasks(db, main.id, SEED.records);
  const otherFirstTask = await insertTasks(db, other.id, SEED.otherRecords);
  const t0 = new Date();
  for (let from = 1; from <= events; from += SEED.chunk) {
    const to = Math.min(events, from + SEED.chunk - 1);
    await db.execute(insertEvents(main.id, t0, events, [from, to], firstTask, SEED.records));
    progress(`${count(to)} of ${count(events)} events`);
  }
  await db.execute(
    insertEvents(other.id, t0, SEED.otherEvents, [1, SEED.otherEvents], otherFirstTask, SEED.otherRecords),
  );
  await options.extra?.(db, { workspaceId: main.id, otherWorkspaceId: other.id, firstTask, events, t0 });
  // Every event sequenced, as the sequencer leaves them: the feed's join then finds a row for each.
  await db.execute(sql`INSERT INTO activity_sequence (workspace_id, seq, event_id, actor_id, occurred_at)
    SELECT workspace_id, row_number() OVER (PARTITION BY workspace_id ORDER BY id), id, actor_id, occurred_at
      FROM activity_events`);
  await db.execute(sql`INSERT INTO activity_heads (workspace_id, seq)
    SELECT workspace_id, max(seq) FROM activity_sequence GROUP BY workspace_id`);
  progress("sequenced");
  // What autovacuum leaves on a table that has settled: hint bits set, visibility map, statistics.
  await db.execute(sql`VACUUM (ANALYZE) activity_events, activity_sequence, activity_heads, tasks`);
  progress("vacuumed and analyzed");
  const seedSeconds = (performance.now() - started) / 1000;
  const sizes = rowsOf<{ name: string; size: string }>(
    // Summed over the partitions (monthly, docs/partitions.md): a partitioned table or index has no storage of its own.
    await db.execute(sql`SELECT c.relname AS name,
        pg_size_pretty((SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree(c.oid) AS p)) AS size
      FROM pg_class c WHERE c.relname = 'activity_events'
         OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'activity_events'::regclass)
      ORDER BY c.relname`),
  );
  return {
    workspaceId: main.id,
    otherWorkspaceId: other.id,
    firstTask,
    events,
    t0,
    seedSeconds,
    sizes: {
      table: sizes.find((s) => s.name === "activity_events")?.size ?? "?",
      indexes: Object.fromEntries(sizes.filter((s) => s.name !== "activity_events").map((s) => [s.name, s.size])),
    },
  };
}
