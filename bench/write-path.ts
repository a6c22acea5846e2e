/**
 * The write path: what tracking costs a write. Inserts and updates of one task through withTracking,
 * against the same write with no tracking at all (bare) and against the least work that still stores the
 * same event (the floor: one statement writing the task row and the event row, no trigger, no
 * transaction block). All cases run side by side in rounds, on one server, in one run.
 */
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { createActivityKit } from "@/lib/activity";
import { BEGIN_STATEMENT } from "@/lib/activity/sql";
import { transactionRunner } from "@/lib/activity/transaction";
import { catalogue, trackedTables } from "@/lib/activity-kit";
import { type Database, openPostgres, rowsOf } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import type { Operation } from "./lib/clients";
import { type RoundResult, runRounds } from "./lib/rounds";
import { withParameters } from "./lib/server";
import { median } from "./lib/stats";
import { COMMIT_MODES, type CommitMode, type Suite, type SuiteContext, writeResults } from "./lib/suite";
import { count, fixed, formatTable } from "./lib/table";

/** Rows of each table the update cases pick from at random. */
const UPDATE_ROWS = 1000;
/** The tracked table, and its twin: same columns, defaults, identity, indexes and foreign keys; no triggers. */
const TRACKED = "tasks";
const TWIN = "bench_tasks";

const makeKit = (db: Database) => createActivityKit({ db: () => db, catalogue, tables: trackedTables });
type Kit = ReturnType<typeof makeKit>;

interface Fixture {
  workspaceId: number;
  user: { id: number; name: string };
  /** Ids of the pre-inserted rows, per table, for the update cases. */
  ids: Record<typeof TRACKED | typeof TWIN, number[]>;
}

interface Env {
  db: Database;
  kit: Kit;
  fixture: Fixture;
}

type Group = "insert" | "update";
type Role = "bare" | "floor" | "plain" | "tracked" | "untracked" | "diagnostic";

interface WriteCase {
  id: string;
  group: Group;
  role: Role;
  label: string;
  make(env: Env): Operation;
}

interface TaskRow {
  id: number;
  workspace_id: number;
  title: string;
  status: string;
}

/* ---------------------------------------------------------------- the statements */

const table = (name: string) => sql.identifier(name);
const pick = (ids: readonly number[]) => ids[Math.floor(Math.random() * ids.length)]!;
const titleOf = (client: number, iteration: number) => `bench task ${client}-${iteration}`;

const insertTask = (name: string, workspaceId: number, title: string) =>
  sql`INSERT INTO ${table(name)} (workspace_id, title) VALUES (${workspaceId}, ${title}) RETURNING *`;

/** Toggles the status and renames: every update changes two tracked fields. */
const updateTask = (name: string, id: number, title: string) =>
  sql`UPDATE ${table(name)} SET status = CASE status WHEN 'todo' THEN 'doing' ELSE 'todo' END,
        title = ${title}, updated_at = now()
      WHERE id = ${id} RETURNING *`;

/** The same update, also returning the values before it (what a diff needs; PostgreSQL 15 has no OLD in RETURNING). */
const updateTaskReturningOld = (name: string, id: number, title: string) =>
  sql`WITH old AS (SELECT id, status, title FROM ${table(name)} WHERE id = ${id})
      UPDATE ${table(name)} AS t SET status = CASE t.status WHEN 'todo' THEN 'doing' ELSE 'todo' END,
        title = ${title}, updated_at = now()
      FROM old WHERE t.id = old.id
      RETURNING t.*, old.status AS old_status, old.title AS old_title`;

/** The columns of an event the floors write: the same row content withTracking stores. */
const EVENT_COLUMNS = sql.raw(
  "workspace_id, actor_type, actor_id, actor_label, action, subject, record_type, record_id, changes",
);

function insertFloor(f: Fixture, title: string): SQL {
  return sql`WITH t AS (${insertTask(TWIN, f.workspaceId, title)})
    INSERT INTO activity_events (${EVENT_COLUMNS})
    SELECT t.workspace_id::text, 'user', ${String(f.user.id)}, ${f.user.name}, 'insert', 'task ' || t.title,
           'task', t.id::text,
           jsonb_build_array(jsonb_build_object('type', 'task', 'id', t.id::text, 'op', 'insert', 'row', to_jsonb(t)))
    FROM t`;
}

function updateFloor(f: Fixture, id: number, title: string): SQL {
  return sql`WITH u AS (${updateTaskReturningOld(TWIN, id, title)})
    INSERT INTO activity_events (${EVENT_COLUMNS})
    SELECT u.workspace_id::text, 'user', ${String(f.user.id)}, ${f.user.name}, 'update', 'task ' || u.title,
           'task', u.id::text,
           jsonb_build_array(jsonb_build_object('type', 'task', 'id', u.id::text, 'op', 'update', 'changes',
             jsonb_build_object('status', jsonb_build_array(u.old_status, u.status),
                                'title', jsonb_build_array(u.old_title, u.title))))
    FROM u`;
}

/** An event row from one jsonb argument, as a plain statement (what activity_store_event adds to it is the diagnostic's point). */
const PLAIN_EVENT_INSERT = `INSERT INTO activity_events (workspace_id, actor_type, actor_id, actor_label, action, subject,
                             record_type, record_id, changes)
  SELECT p ->> 'workspaceId', 'user', p ->> 'actorId', p ->> 'actorLabel', p ->> 'action', p ->> 'subject',
         'task', p ->> 'recordId', p -> 'changes'
  FROM (SELECT $1::jsonb AS p) AS args`;

/**
 * withTracking's transaction with the kit's own work taken out: the same runner (round trips, prepared
 * statements) and the same settings, the write on the twin (no trigger) and a plain event insert.
 */
function byHand<R extends TaskRow>(env: Env, write: (tx: Database) => Promise<R>, changes: (row: R) => unknown) {
  const { fixture } = env;
  const who = { actorType: "user", actorId: String(fixture.user.id), actorLabel: fixture.user.name };
  return transactionRunner(env.db).run(
    { text: BEGIN_STATEMENT, argument: JSON.stringify(who) },
    (tx) => write(tx as Database),
    (row) => ({
      text: PLAIN_EVENT_INSERT,
      argument: JSON.stringify({
        ...who,
        workspaceId: String(row.workspace_id),
        action: "insert",
        subject: `task ${row.title}`,
        recordId: String(row.id),
        changes: changes(row),
      }),
    }),
  );
}

const firstRow = <T>(result: unknown): T => {
  const [row] = rowsOf<T>(result);
  if (!row) throw new Error("the write matched no row");
  return row;
};

const actorOf = (f: Fixture) =>
  ({ type: "user", id: f.user.id, name: f.user.name, workspaceId: f.workspaceId }) as const;

/* ---------------------------------------------------------------- the cases */

const CASES: WriteCase[] = [
  {
    id: "insert.bare",
    group: "insert",
    role: "bare",
    label: "bare INSERT",
    make:
      ({ db, fixture }) =>
      (c, i) =>
        db.execute(insertTask(TWIN, fixture.workspaceId, titleOf(c, i))),
  },
  {
    id: "insert.floor",
    group: "insert",
    role: "floor",
    label: "floor: INSERT + event, 1 statement",
    make:
      ({ db, fixture }) =>
      (c, i) =>
        db.execute(insertFloor(fixture, titleOf(c, i))),
  },
  {
    id: "insert.plain-tx",
    group: "insert",
    role: "plain",
    label: "plain drizzle db.transaction",
    make:
      ({ db, fixture }) =>
      (c, i) =>
        db.transaction(async (tx) =>
          firstRow<TaskRow>(await tx.execute(insertTask(TWIN, fixture.workspaceId, titleOf(c, i)))),
        ),
  },
  {
    id: "insert.tracked",
    group: "insert",
    role: "tracked",
    label: "withTracking",
    make:
      ({ kit, fixture }) =>
      (c, i) =>
        kit.withTracking(
          actorOf(fixture),
          "insert",
          (task: TaskRow) => `task ${task.title}`,
          async (tx) => firstRow<TaskRow>(await tx.execute(insertTask(TRACKED, fixture.workspaceId, titleOf(c, i)))),
        ),
  },
  {
    id: "insert.untracked",
    group: "insert",
    role: "untracked",
    label: "withTracking, track: false",
    make:
      ({ kit, fixture }) =>
      (c, i) =>
        kit.withTracking(
          actorOf(fixture),
          "insert",
          "untracked",
          async (tx) => firstRow<TaskRow>(await tx.execute(insertTask(TRACKED, fixture.workspaceId, titleOf(c, i)))),
          { track: false },
        ),
  },
  {
    id: "insert.trigger-only",
    group: "insert",
    role: "diagnostic",
    label: "· INSERT on tasks, trigger writes event",
    make:
      ({ db, fixture }) =>
      (c, i) =>
        db.execute(insertTask(TRACKED, fixture.workspaceId, titleOf(c, i))),
  },
  {
    id: "insert.tx-no-trigger",
    group: "insert",
    role: "diagnostic",
    label: "· withTracking's transaction by hand, no trigger",
    make: (env) => (c, i) =>
      byHand(
        env,
        async (tx) => firstRow<TaskRow>(await tx.execute(insertTask(TWIN, env.fixture.workspaceId, titleOf(c, i)))),
        (row) => [{ type: "task", id: String(row.id), op: "insert", row }],
      ),
  },
  {
    id: "update.bare",
    group: "update",
    role: "bare",
    label: "bare UPDATE",
    make:
      ({ db, fixture }) =>
      (c, i) =>
        db.execute(updateTask(TWIN, pick(fixture.ids[TWIN]), titleOf(c, i))),
  },
  {
    id: "update.floor",
    group: "update",
    role: "floor",
    label: "floor: UPDATE + event, 1 statement",
    make:
      ({ db, fixture }) =>
      (c, i) =>
        db.execute(updateFloor(fixture, pick(fixture.ids[TWIN]), titleOf(c, i))),
  },
  {
    id: "update.plain-tx",
    group: "update",
    role: "plain",
    label: "plain drizzle db.transaction",
    make:
      ({ db, fixture }) =>
      (c, i) =>
        db.transaction(async (tx) =>
          firstRow<TaskRow>(await tx.execute(updateTask(TWIN, pick(fixture.ids[TWIN]), titleOf(c, i)))),
        ),
  },
  {
    id: "update.tracked",
    group: "update",
    role: "tracked",
    label: "withTracking",
    make:
      ({ kit, fixture }) =>
      (c, i) =>
        kit.withTracking(
          actorOf(fixture),
          "update",
          (task: TaskRow) => `task ${task.title}`,
          async (tx) =>
            firstRow<TaskRow>(await tx.execute(updateTask(TRACKED, pick(fixture.ids[TRACKED]), titleOf(c, i)))),
        ),
  },
  {
    id: "update.untracked",
    group: "update",
    role: "untracked",
    label: "withTracking, track: false",
    make:
      ({ kit, fixture }) =>
      (c, i) =>
        kit.withTracking(
          actorOf(fixture),
          "update",
          "untracked",
          async (tx) =>
            firstRow<TaskRow>(await tx.execute(updateTask(TRACKED, pick(fixture.ids[TRACKED]), titleOf(c, i)))),
          { track: false },
        ),
  },
  {
    id: "update.trigger-only",
    group: "update",
    role: "diagnostic",
    label: "· UPDATE on tasks, trigger writes event",
    make:
      ({ db, fixture }) =>
      (c, i) =>
        db.execute(updateTask(TRACKED, pick(fixture.ids[TRACKED]), titleOf(c, i))),
  },
  {
    id: "update.tx-no-trigger",
    group: "update",
    role: "diagnostic",
    label: "· withTracking's transaction by hand, no trigger",
    make: (env) => (c, i) =>
      byHand(
        env,
        async (tx) =>
          firstRow<TaskRow & { old_status: string; old_title: string }>(
            await tx.execute(updateTaskReturningOld(TWIN, pick(env.fixture.ids[TWIN]), titleOf(c, i))),
          ),
        (row) => [
          {
            type: "task",
            id: String(row.id),
            op: "update",
            changes: { status: [row.old_status, row.status], title: [row.old_title, row.title] },
          },
        ],
      ),
  },
];

/* ---------------------------------------------------------------- setup and checks */

async function prepare(db: Database): Promise<Fixture> {
  await db.execute(sql`CREATE TABLE ${table(TWIN)} (LIKE ${table(TRACKED)} INCLUDING ALL)`);
  // LIKE copies no foreign keys: add the tracked table's, so both writes check the same references.
  await db.execute(
    sql.raw(`DO $$
    DECLARE c record;
    BEGIN
      FOR c IN SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
               WHERE conrelid = '${TRACKED}'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE %I ADD %s', '${TWIN}', c.def);
      END LOOP;
    END $$`),
  );
  const workspace = firstRow<{ id: number }>(
    await db.execute(sql`INSERT INTO workspaces (name, slug) VALUES ('Bench', 'bench') RETURNING id`),
  );
  const user = firstRow<{ id: number; name: string }>(
    await db.execute(
      sql`INSERT INTO users (email, name) VALUES ('bench@example.com', 'Bench User') RETURNING id, name`,
    ),
  );
  const seed = (name: string) =>
    sql`INSERT INTO ${table(name)} (workspace_id, title)
        SELECT ${workspace.id}, 'seed ' || g FROM generate_series(1, ${UPDATE_ROWS}) AS g`;
  // Seed rows without events: capture skipped, as withTracking's `track: false` does.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('activity.mode', 'skip', true)`);
    await tx.execute(seed(TRACKED));
  });
  await db.execute(seed(TWIN));
  await db.execute(sql`VACUUM ANALYZE`);
  const ids = async (name: string) =>
    rowsOf<{ id: number }>(await db.execute(sql`SELECT id FROM ${table(name)} ORDER BY id`)).map((r) => r.id);
  return { workspaceId: workspace.id, user, ids: { [TRACKED]: await ids(TRACKED), [TWIN]: await ids(TWIN) } };
}

/** How the twin compares with the tracked table: the only difference should be the capture triggers. */
async function describeTables(db: Database) {
  const rows = rowsOf<{ name: string; fks: number; indexes: number; triggers: number }>(
    await db.execute(sql`SELECT c.relname AS name,
        (SELECT count(*)::int FROM pg_constraint WHERE conrelid = c.oid AND contype = 'f') AS fks,
        (SELECT count(*)::int FROM pg_index WHERE indrelid = c.oid) AS indexes,
        (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal) AS triggers
      FROM pg_class c WHERE c.relname IN (${TRACKED}, ${TWIN}) ORDER BY c.relname DESC`),
  );
  return rows.map((r) => `${r.name}: ${r.fks} foreign keys, ${r.indexes} indexes, ${r.triggers} triggers`).join("; ");
}

interface Shape {
  statements: number;
  events: number;
}

/**
 * Statements sent and event rows stored per operation, on one connection that counts what postgres.js
 * sends (after a warm-up, so connection set-up and statement preparation are not counted). Every
 * statement waits for the previous one: statements are round trips.
 */
async function measureShapes(url: string, cases: readonly WriteCase[], fixture: Fixture): Promise<Map<string, Shape>> {
  let statements = 0;
  const client = postgres(url, { max: 1, onnotice: () => {}, debug: () => void statements++ });
  const db = drizzle(client, { schema }) as unknown as Database;
  const env: Env = { db, kit: makeKit(db), fixture };
  const events = async () =>
    firstRow<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM activity_events`)).n;
  const shapes = new Map<string, Shape>();
  const iterations = 10;
  try {
    for (const c of CASES.filter((x) => cases.includes(x))) {
      const op = c.make(env);
      for (let i = 0; i < 3; i++) await op(0, i);
      const before = await events();
      statements = 0;
      for (let i = 0; i < iterations; i++) await op(0, 100 + i);
      const sent = statements;
      shapes.set(c.id, { statements: sent / iterations, events: ((await events()) - before) / iterations });
    }
  } finally {
    await client.end({ timeout: 5 });
  }
  return shapes;
}

/** A checkpoint before every measured run, so none pays for one that another started (needs superuser). */
function checkpointer(db: Database) {
  let allowed = true;
  return {
    get enabled() {
      return allowed;
    },
    async run() {
      if (!allowed) return;
      try {
        await db.execute(sql`CHECKPOINT`);
      } catch {
        allowed = false;
      }
    },
  };
}

/* ---------------------------------------------------------------- results */

interface CaseSummary {
  id: string;
  group: Group;
  role: Role;
  label: string;
  statementsPerOp: number;
  eventsPerOp: number;
  opsPerSec: number;
  opsPerSecMin: number;
  opsPerSecMax: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of the Node process (drizzle, postgres.js, the kit) per operation, in microseconds. */
  clientCpuUsPerOp: number;
  /** CPU time of the bench's PostgreSQL cluster per operation (all its processes), in microseconds. */
  serverCpuUsPerOp: number;
  hostCpuPercent: number;
  /** Medians over rounds of this case's throughput divided by the baseline's in the same round. */
  vsBare: number;
  vsFloor: number;
  /** The same against the plain drizzle transaction (NaN when it was not run). */
  vsPlain: number;
  /**
   * The plain transaction's CPU per operation (client + server) divided by this case's: the throughput
   * ratio a machine whose cores are the limit would show, less moved by other load than throughput is.
   */
  vsPlainCpu: number;
  rounds: RoundResult[];
}

function summarize(cases: readonly WriteCase[], results: Map<string, RoundResult[]>, shapes: Map<string, Shape>) {
  const ratio = (id: string, baseline: string) => {
    const own = results.get(id) ?? [];
    const base = results.get(baseline) ?? [];
    return median(own.map((r, i) => r.opsPerSec / (base[i]?.opsPerSec ?? Number.NaN)));
  };
  const cpuPerOp = (r: RoundResult) => (r.clientCpuPercent * 1e4) / r.opsPerSec + r.serverCpuUsPerOp;
  const cpuRatio = (id: string, baseline: string) => {
    const own = results.get(id) ?? [];
    const base = results.get(baseline) ?? [];
    return median(own.map((r, i) => (base[i] ? cpuPerOp(base[i]) : Number.NaN) / cpuPerOp(r)));
  };
  return cases.map((c): CaseSummary => {
    const rounds = results.get(c.id) ?? [];
    const throughput = rounds.map((r) => r.opsPerSec);
    return {
      id: c.id,
      group: c.group,
      role: c.role,
      label: c.label,
      statementsPerOp: shapes.get(c.id)?.statements ?? Number.NaN,
      eventsPerOp: shapes.get(c.id)?.events ?? Number.NaN,
      opsPerSec: median(throughput),
      opsPerSecMin: Math.min(...throughput),
      opsPerSecMax: Math.max(...throughput),
      p50Ms: median(rounds.map((r) => r.p50)),
      p99Ms: median(rounds.map((r) => r.p99)),
      clientCpuUsPerOp: median(rounds.map((r) => (r.clientCpuPercent * 1e4) / r.opsPerSec)),
      serverCpuUsPerOp: median(rounds.map((r) => r.serverCpuUsPerOp)),
      hostCpuPercent: median(rounds.map((r) => r.hostCpuPercent)),
      vsBare: ratio(c.id, `${c.group}.bare`),
      vsFloor: ratio(c.id, `${c.group}.floor`),
      vsPlain: ratio(c.id, `${c.group}.plain-tx`),
      vsPlainCpu: cpuRatio(c.id, `${c.group}.plain-tx`),
      rounds,
    };
  });
}

function printTable(summaries: readonly CaseSummary[]) {
  const headers = [
    "case",
    "ops/s",
    "min–max ops/s",
    "p50 ms",
    "p99 ms",
    "stmts/op",
    "events/op",
    "client µs/op",
    "server µs/op",
    "host CPU",
    "× bare",
    "× floor",
    "× plain tx",
    "× plain tx by CPU",
  ];
  const rows: string[][] = [];
  for (const group of ["insert", "update"] as const) {
    const inGroup = summaries.filter((s) => s.group === group);
    if (inGroup.length === 0) continue;
    rows.push([`${group}:`, ...headers.slice(1).map(() => "")]);
    for (const s of inGroup) {
      rows.push([
        `  ${s.label}`,
        count(s.opsPerSec),
        `${count(s.opsPerSecMin)}–${count(s.opsPerSecMax)}`,
        fixed(s.p50Ms, 2),
        fixed(s.p99Ms, 2),
        fixed(s.statementsPerOp, 0),
        fixed(s.eventsPerOp, 0),
        fixed(s.clientCpuUsPerOp, 0),
        fixed(s.serverCpuUsPerOp, 0),
        `${fixed(s.hostCpuPercent, 0)}%`,
        fixed(s.vsBare, 2),
        fixed(s.vsFloor, 2),
        fixed(s.vsPlain, 2),
        fixed(s.vsPlainCpu, 2),
      ]);
    }
  }
  console.log(formatTable(headers, rows));
}

interface ClientRun {
  mode: CommitMode;
  clients: number;
  cases: CaseSummary[];
}

/**
 * The ratios the write path aims at, one row per commit mode and client count: each a median of
 * per-round ratios (insert / update).
 */
function printRatios(runs: readonly ClientRun[]) {
  type Key = "vsBare" | "vsPlain" | "vsPlainCpu";
  const of = (run: ClientRun, id: string, key: Key) => run.cases.find((c) => c.id === id)?.[key] ?? Number.NaN;
  const pair = (run: ClientRun, role: string, key: Key) =>
    `${fixed(of(run, `insert.${role}`, key), 2)} / ${fixed(of(run, `update.${role}`, key), 2)}`;
  const headers = [
    "mode",
    "clients",
    "plain tx ÷ bare",
    "withTracking ÷ bare",
    "withTracking ÷ plain tx (aim ≥ 0.8)",
    "track: false ÷ plain tx (aim ≥ 1.0)",
    "by CPU: withTracking / track: false ÷ plain tx",
  ];
  const rows = runs.map((run) => [
    run.mode,
    String(run.clients),
    pair(run, "plain-tx", "vsBare"),
    pair(run, "tracked", "vsBare"),
    pair(run, "tracked", "vsPlain"),
    pair(run, "untracked", "vsPlain"),
    `${pair(run, "tracked", "vsPlainCpu")}  ${pair(run, "untracked", "vsPlainCpu")}`,
  ]);
  console.log(
    '\nRatios (insert / update), medians of per-round throughput ratios in the same run; "by CPU": the plain\n' +
      "transaction's CPU per operation (this process and the cluster) over the case's, the same ratio where cores are the limit:",
  );
  console.log(formatTable(headers, rows));
}

/* ---------------------------------------------------------------- bulk */

/** Rows one bulk statement changes. */
const BULK_ROWS = 20_000;
/** How often each bulk variant is timed (the median is reported). */
const BULK_REPEATS = 3;

interface BulkResult {
  rows: number;
  repeats: number;
  bareMs: number;
  trackedMs: number;
  unattributedMs: number;
}

/**
 * One UPDATE of BULK_ROWS rows: on the twin (bare), on the tracked table inside withTracking (every row's
 * change folded into one event) and outside it (one unattributed event per row), after the same statement
 * warmed the rows up.
 */
async function measureBulk(env: Env): Promise<BulkResult> {
  const { db, kit, fixture } = env;
  const bulkTitle = (name: string, round: number) =>
    sql`UPDATE ${table(name)} SET title = 'bulk ' || id || ' ' || ${round} WHERE workspace_id = ${fixture.workspaceId}
        AND title LIKE 'bulk %'`;
  const seed = (name: string) =>
    sql`INSERT INTO ${table(name)} (workspace_id, title)
        SELECT ${fixture.workspaceId}, 'bulk ' || g FROM generate_series(1, ${BULK_ROWS}) AS g`;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('activity.mode', 'skip', true)`);
    await tx.execute(seed(TRACKED));
    await tx.execute(bulkTitle(TRACKED, 0));
  });
  await db.execute(seed(TWIN));
  await db.execute(bulkTitle(TWIN, 0));
  await db.execute(sql`VACUUM ANALYZE ${table(TRACKED)}, ${table(TWIN)}`);
  const time = async (work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    return performance.now() - t0;
  };
  // Each variant BULK_REPEATS times, interleaved, every time renaming every row anew; medians.
  const bare: number[] = [];
  const tracked: number[] = [];
  const unattributed: number[] = [];
  for (let round = 1; round <= BULK_REPEATS; round++) {
    bare.push(await time(() => db.execute(bulkTitle(TWIN, round))));
    tracked.push(
      await time(() =>
        kit.withTracking(actorOf(fixture), "update", `${BULK_ROWS} tasks renamed`, async (tx) => {
          await tx.execute(bulkTitle(TRACKED, 2 * round - 1));
          return { ok: true as const };
        }),
      ),
    );
    unattributed.push(await time(() => db.execute(bulkTitle(TRACKED, 2 * round))));
  }
  return {
    rows: BULK_ROWS,
    repeats: BULK_REPEATS,
    bareMs: median(bare),
    trackedMs: median(tracked),
    unattributedMs: median(unattributed),
  };
}

/* ---------------------------------------------------------------- the suite */

const DIAGNOSTICS_LEGEND = `  · diagnostics where the time goes: the same write on ${TRACKED} outside withTracking (the trigger then writes
                an unattributed event itself), and withTracking's transaction by hand: the kit's runner and
                settings, the write on the twin (no trigger) and a plain event insert (no kit function)
`;

const clientCountsOf = (options: { clientCounts?: number[] }) => options.clientCounts ?? [1, 4, 16];

const selectedCases = (options: { diagnose: boolean; cases?: RegExp }) =>
  CASES.filter((c) => (options.diagnose || c.role !== "diagnostic") && (options.cases?.test(c.id) ?? true));

export const writePath: Suite = {
  name: "write",
  description: "the write path: bare, floor, plain tx, withTracking and track: false, for an insert and an update",

  estimateSeconds(o) {
    const runs = selectedCases(o).length * o.rounds * o.modes.length * clientCountsOf(o).length;
    return runs * (o.seconds + o.warmup + 0.5) + 5;
  },

  async run(context: SuiteContext) {
    const { options } = context;
    const cases = selectedCases(options);
    const setup = await openPostgres(context.databaseUrl, { max: 2 });
    let fixture: Fixture;
    let tables: string;
    try {
      fixture = await prepare(setup.db);
      tables = await describeTables(setup.db);
    } finally {
      await setup.close();
    }
    const shapes = await measureShapes(context.databaseUrl, cases, fixture);

    console.log(`
Write path: ${clientCountsOf(options).join(", ")} clients in closed loops (each count in turn), ${options.seconds} s per case after ${options.warmup} s of warm-up,
${options.rounds} rounds with the case order rotated each round; medians over rounds. "× bare" and "× floor" are
medians of per-round throughput ratios against the same group's bare and floor cases.
  bare          one INSERT/UPDATE ... RETURNING * on ${TWIN}, a twin of ${TRACKED} without its capture triggers
                (same columns, identity, defaults, indexes and foreign keys: the FK checks are paid alike)
  floor         one statement writing the row (into the twin) and an event row with the same content
                withTracking stores (a CTE: no trigger, no transaction block)
  plain tx      the same write on ${TWIN} in drizzle's own db.transaction: what a user writes without the kit
  track: false  withTracking with track: false on ${TRACKED}: the kit's transaction, capture switched off
  withTracking  the kit on ${TRACKED}: BEGIN and the settings, the write (capture trigger), then the event
                (activity_store_event) and COMMIT; on postgres.js the kit's statements share network writes
                with their neighbours and are prepared once per connection
${options.diagnose ? DIAGNOSTICS_LEGEND : ""}  update rows   picked at random among ${UPDATE_ROWS} per table; each update toggles status and renames (2 fields).
  The write itself goes through drizzle (db.execute / tx.execute) in every case, which sends it unnamed:
  PostgreSQL parses and plans it on every call, and postgres.js takes two round trips for it (describe, then
  execute). stmts/op and events/op are counted on one connection;
  client µs/op is this Node process's CPU time per operation; host CPU is the whole machine's.
  ${tables}`);

    const report: {
      mode: CommitMode;
      clients: number;
      checkpoints: boolean;
      settings: Record<string, string>;
      cases: CaseSummary[];
    }[] = [];
    for (const mode of options.modes) {
      for (const clients of clientCountsOf(options)) {
        const url = withParameters(context.databaseUrl, {
          ...COMMIT_MODES[mode],
          application_name: "activity-kit-bench",
        });
        const handle = await openPostgres(url, { max: clients });
        try {
          const settings = firstRow<Record<string, string>>(
            await handle.db.execute(
              sql`SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit`,
            ),
          );
          const env: Env = { db: handle.db, kit: makeKit(handle.db), fixture };
          const checkpoint = checkpointer(handle.db);
          const label = `${mode} (fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}), ${clients} clients`;
          process.stderr.write(`\n${label}\n`);
          const results = await runRounds(
            cases.map((c) => ({ id: c.id, op: c.make(env) })),
            {
              ...options,
              clients,
              beforeEach: () => checkpoint.run(),
              onResult: (id, r) =>
                process.stderr.write(
                  `  round ${r.round}  ${id.padEnd(22)} ${count(r.opsPerSec).padStart(7)} ops/s  p50 ${fixed(r.p50, 2)} ms  p99 ${fixed(r.p99, 2)} ms\n`,
                ),
            },
          );
          const summaries = summarize(cases, results, shapes);
          console.log(
            `\n== ${label}; checkpoint before each run: ${checkpoint.enabled ? "yes" : "no (not superuser)"}`,
          );
          printTable(summaries);
          report.push({ mode, clients, checkpoints: checkpoint.enabled, settings, cases: summaries });
        } finally {
          await handle.close();
        }
      }
    }
    printRatios(report);

    let bulk: BulkResult | undefined;
    if (!options.cases) {
      const handle = await openPostgres(context.databaseUrl, { max: 2 });
      try {
        bulk = await measureBulk({ db: handle.db, kit: makeKit(handle.db), fixture });
      } finally {
        await handle.close();
      }
      const { bareMs } = bulk;
      const line = (label: string, ms: number, ratio = true) =>
        `  ${label.padEnd(54)} ${fixed(ms / 1000, 2)} s${ratio ? `  (${fixed(ms / bareMs, 1)}× bare)` : ""}`;
      console.log(
        [
          `\nBulk: one UPDATE of ${count(bulk.rows)} rows (durable commit; medians of ${bulk.repeats}, interleaved)`,
          line(`bare, on ${TWIN}`, bareMs, false),
          line("inside withTracking (one event with every row's change)", bulk.trackedMs),
          line("outside withTracking (one unattributed event per row)", bulk.unattributedMs),
        ].join("\n"),
      );
    }

    writeResults(context, "write-path", {
      options,
      tables,
      modes: report,
      bulk,
    });
  },
};
