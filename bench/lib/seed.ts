/**
 * A large feed, fast: one workspace of N events (and a smaller second one sharing the table and indexes),
 * written with INSERT ... SELECT generate_series, every event sequenced, then VACUUM ANALYZE. Used by the
 * feed and audit suites.
 *
 * How the rows are written: each statement makes 250,000 events inside the server from generate_series
 * (no row crosses the wire, nothing is inserted row by row from the client), so it does what COPY would do
 * without the client having to build and send the rows' text; COPY FROM STDIN of the same rows would add
 * formatting them in Node and sending ~400 bytes each over loopback. `growFeed` adds events to a seeded
 * workspace the same way, so one run can measure at 1M and again at 10M on the same database.
 */
import { type SQL, sql } from "drizzle-orm";
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
  /** Tasks of the measured workspace that its events name (SEED.records when seeded; more once grown). */
  records: number;
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
  /** Added to `g` before hashing: events added later draw fresh actors and actions, not a repeat of the first. */
  hashBase = 0,
) {
  const step = (SEED.spanSeconds * 3) / n;
  // A well-mixed non-negative number per event and salt, below `mod`.
  const h = (salt: number, mod: number) =>
    sql.raw(`((hashint4(g + ${hashBase + salt})::bigint + 2147483648) % ${mod})`);
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

/**
 * A partition for every UTC month of the seeded span, as a log that grew over that year has (the kit's
 * migration makes this month and the next ones; activity_partitions_ensure would otherwise find the year in
 * the default partition and move it row by row). Made as activity_partitions_ensure makes them: named
 * activity_events_pYYYYMM, with the TRUNCATE guard. Does nothing on an unpartitioned events table.
 */
async function ensureMonthPartitions(db: Database, t0: Date) {
  const from = new Date(t0.getTime() - SEED.spanSeconds * 1000 - 24 * 3600_000);
  await db.execute(sql`DO $months$
DECLARE
  m timestamptz;
  part text;
BEGIN
  IF (SELECT c.relkind FROM pg_class AS c WHERE c.oid = to_regclass('activity_events')) IS DISTINCT FROM 'p' THEN
    RETURN;
  END IF;
  FOR m IN SELECT gs FROM generate_series(date_trunc('month', ${sql.raw(`'${from.toISOString()}'`)}::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                                          ${sql.raw(`'${t0.toISOString()}'`)}::timestamptz, interval '1 month') AS gs LOOP
    part := 'activity_events_p' || to_char(m AT TIME ZONE 'UTC', 'YYYYMM');
    CONTINUE WHEN to_regclass(part) IS NOT NULL;
    EXECUTE format('CREATE TABLE %I PARTITION OF activity_events FOR VALUES FROM (%L) TO (%L)', part,
                   to_char(m AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' 00:00:00+00',
                   to_char((m AT TIME ZONE 'UTC') + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
    EXECUTE format('CREATE TRIGGER activity_events_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION activity_events_guard()', part);
  END LOOP;
END
$months$`);
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
  extra?: (db: Database, fixture: Omit<Fixture, "seedSeconds" | "sizes" | "records">) => Promise<void>;
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
  await ensureMonthPartitions(db, t0);
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
  await db.execute(numberEvents(sql`true`, sql`id`));
  await db.execute(sql`INSERT INTO activity_heads (workspace_id, seq, latest_at)
    SELECT workspace_id, max(seq), max(occurred_at) FROM activity_sequence GROUP BY workspace_id`);
  progress("sequenced");
  // What autovacuum leaves on a table that has settled: hint bits set, visibility map, statistics.
  await db.execute(sql`VACUUM (ANALYZE) activity_events, activity_sequence, activity_heads, tasks`);
  progress("vacuumed and analyzed");
  const seedSeconds = (performance.now() - started) / 1000;
  return {
    workspaceId: main.id,
    otherWorkspaceId: other.id,
    firstTask,
    events,
    records: SEED.records,
    t0,
    seedSeconds,
    sizes: await tableSizes(db),
  };
}

async function tableSizes(db: Database): Promise<Fixture["sizes"]> {
  const sizes = rowsOf<{ name: string; size: string }>(
    // Summed over the partitions (monthly, docs/partitions.md): a partitioned table or index has no storage of its own.
    await db.execute(sql`SELECT c.relname AS name,
        pg_size_pretty((SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree(c.oid) AS p)) AS size
      FROM pg_class c WHERE c.relname = 'activity_events'
         OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'activity_events'::regclass)
      ORDER BY c.relname`),
  );
  return {
    table: sizes.find((s) => s.name === "activity_events")?.size ?? "?",
    indexes: Object.fromEntries(sizes.filter((s) => s.name !== "activity_events").map((s) => [s.name, s.size])),
  };
}

/**
 * Numbers the events `where` selects in `order` per workspace, as the sequencer does (lag included: how far
 * each event's time lies behind the latest time numbered up to it, schema.ts).
 */
const numberEvents = (where: SQL, order: SQL) =>
  sql`INSERT INTO activity_sequence (workspace_id, seq, event_id, actor_id, occurred_at, lag_ms)
    SELECT workspace_id, seq, id, actor_id, occurred_at,
           (extract(epoch FROM max(occurred_at) OVER (PARTITION BY workspace_id ORDER BY seq) - occurred_at) * 1000)::bigint
      FROM (SELECT workspace_id, row_number() OVER (PARTITION BY workspace_id ORDER BY ${order}) AS seq, id, actor_id,
                   occurred_at
              FROM activity_events WHERE ${where}) AS numbered`;

/**
 * Grows a seeded workspace to `events` events in place, as if its log had gone on for longer: the events
 * added spread over the same year (so the year holds `events / fixture.events` times as many), with new
 * tasks in the same proportion (each record keeps about the same number of events, so a record's history
 * is as long after as before: what grows is the table around it), the same actors and action mix. The
 * workspace is then numbered again in time order, as a log that was this long all along would be; then
 * VACUUM ANALYZE again. The second workspace is left as it is.
 */
export async function growFeed(
  db: Database,
  fixture: Fixture,
  events: number,
  label: string,
): Promise<Fixture & { growSeconds: number }> {
  const added = events - fixture.events;
  if (added <= 0) throw new Error(`cannot grow ${fixture.events} events to ${events}`);
  const started = performance.now();
  const progress = (what: string) =>
    process.stderr.write(`  ${label} grow: ${what} (${fixed((performance.now() - started) / 1000, 1)} s)
`);
  const { id: lastTask } = firstRow<{ id: number }>(await db.execute(sql`SELECT max(id)::int AS id FROM tasks`));
  const records = Math.round((fixture.records * added) / fixture.events);
  await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('activity.mode', 'skip', true)`);
    await tx.execute(sql`INSERT INTO tasks (workspace_id, title)
      SELECT ${fixture.workspaceId}::int, 'Task ' || g
        FROM generate_series(${fixture.records + 1}::int, ${fixture.records + records}::int) AS g`);
  });
  const { id: firstTask } = firstRow<{ id: number }>(
    await db.execute(sql`SELECT min(id)::int AS id FROM tasks WHERE id > ${lastTask}::int`),
  );
  for (let from = 1; from <= added; from += SEED.chunk) {
    const to = Math.min(added, from + SEED.chunk - 1);
    await db.execute(
      insertEvents(fixture.workspaceId, fixture.t0, added, [from, to], firstTask, records, fixture.events),
    );
    progress(`${count(fixture.events + to)} of ${count(events)} events`);
  }
  const workspace = String(fixture.workspaceId);
  await db.execute(sql`DELETE FROM activity_sequence WHERE workspace_id = ${workspace}`);
  await db.execute(numberEvents(sql`workspace_id = ${workspace}`, sql`occurred_at, id`));
  await db.execute(sql`UPDATE activity_heads h SET (seq, latest_at) = (SELECT max(seq), max(occurred_at)
    FROM activity_sequence s WHERE s.workspace_id = h.workspace_id) WHERE h.workspace_id = ${workspace}`);
  progress("sequenced");
  await db.execute(sql`VACUUM (ANALYZE) activity_events, activity_sequence, activity_heads, tasks`);
  progress("vacuumed and analyzed");
  return {
    ...fixture,
    events,
    records: fixture.records + records,
    growSeconds: (performance.now() - started) / 1000,
    sizes: await tableSizes(db),
  };
}
