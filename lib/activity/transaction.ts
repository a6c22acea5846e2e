import { is, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { PostgresJsSession, PostgresJsTransaction } from "drizzle-orm/postgres-js/session";
import { npmVersion as drizzleVersion } from "drizzle-orm/version";
import type { AnyDatabase, TransactionOf } from "./database";

/**
 * How withTracking runs its transaction. Both runners send the same statements — BEGIN, the opening
 * statement, fn's statements, the closing statement, COMMIT — and give the same guarantees; they differ in
 * how many round trips and how much client work that takes.
 */
export interface TransactionRunner<Db extends AnyDatabase> {
  readonly kind: "pipelined" | "generic";
  /**
   * Runs `opening` right after BEGIN, then `fn(tx)`, then `closing(result)` (when it returns a statement)
   * right before COMMIT. An error anywhere — `fn` throwing, `closing` throwing, a statement failing —
   * rolls the whole transaction back and propagates.
   */
  run<R>(
    opening: Statement,
    fn: (tx: TransactionOf<Db>) => Promise<R>,
    closing: (result: R) => Statement | null,
  ): Promise<R>;
}

/** A statement of the kit: SQL text in which `$1`, at most once, stands for its one jsonb argument. */
export interface Statement {
  text: string;
  argument?: string;
}

/**
 * The drizzle-orm versions the pipelined runner is tested with. It builds drizzle's postgres.js session
 * and transaction from fields drizzle keeps private (the session's schema and options, the database's
 * dialect), so a host pins drizzle-orm to this range (the registry item's `~0.45.4`); `transaction.test.ts` fails when the installed
 * version is outside it or the fields are not what the runner expects. Outside it, or when the fields
 * differ, withTracking uses drizzle's own `db.transaction` (correct, one round trip per statement).
 */
export const PIPELINED_DRIZZLE_RANGE = { from: "0.45.4", below: "0.46.0" } as const;

const versionParts = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
const compareVersions = (a: string, b: string) => {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/** Whether a drizzle-orm version is in PIPELINED_DRIZZLE_RANGE. */
export function pipelinedRunnerSupports(version: string): boolean {
  return (
    compareVersions(version, PIPELINED_DRIZZLE_RANGE.from) >= 0 &&
    compareVersions(version, PIPELINED_DRIZZLE_RANGE.below) < 0
  );
}

/**
 * Why the pipelined runner cannot run on this database, or null when it can: the private fields of
 * drizzle it builds on, checked one by one (the test of the runner reports the reason).
 */
export function pipelinedRunnerObstacle(db: AnyDatabase): string | null {
  const internals = db as unknown as { $client?: unknown; session?: unknown; dialect?: unknown };
  if (!is(internals.session, PostgresJsSession)) return "not drizzle over postgres.js";
  if (typeof (internals.$client as PostgresJsClient | undefined)?.reserve !== "function")
    return "the postgres.js client cannot reserve a connection";
  if (!pipelinedRunnerSupports(drizzleVersion))
    return `drizzle-orm ${drizzleVersion} is outside ${PIPELINED_DRIZZLE_RANGE.from} – <${PIPELINED_DRIZZLE_RANGE.below}`;
  if (!is(internals.dialect, PgDialect)) return "db.dialect is not drizzle's PgDialect";
  const session = internals.session as unknown as Record<string, unknown>;
  if (!("schema" in session) || typeof session.options !== "object")
    return "drizzle's PostgresJsSession no longer keeps its schema and options";
  if (PostgresJsSession.length < 3 || PostgresJsTransaction.length < 3)
    return "drizzle's PostgresJsSession or PostgresJsTransaction constructor changed";
  return null;
}

const runners = new WeakMap<AnyDatabase, TransactionRunner<AnyDatabase>>();

export function transactionRunner<Db extends AnyDatabase>(db: Db): TransactionRunner<Db> {
  let runner = runners.get(db);
  if (!runner) {
    runner = pipelinedRunner(db) ?? genericRunner(db);
    runners.set(db, runner);
  }
  return runner as TransactionRunner<Db>;
}

/** Runs one of the kit's statements through drizzle (its argument as a bound parameter). */
export function executeStatement(tx: AnyDatabase, s: Statement) {
  const [before, after] = s.text.split("$1") as [string, string | undefined];
  return tx.execute(after === undefined ? sql.raw(before) : sql`${sql.raw(before)}${s.argument}${sql.raw(after)}`);
}

/** Any drizzle database: `db.transaction`, one statement after another. */
function genericRunner<Db extends AnyDatabase>(db: Db): TransactionRunner<Db> {
  return {
    kind: "generic",
    run: <R>(opening: Statement, fn: (tx: TransactionOf<Db>) => Promise<R>, closing: (result: R) => Statement | null) =>
      db.transaction(async (tx): Promise<R> => {
        // Sent without waiting for its answer: drivers that pipeline send it with fn's first statement.
        // Its error, if any, is the one to report.
        const opened = Promise.resolve(executeStatement(tx, opening));
        opened.catch(() => {});
        let result: R;
        try {
          result = await fn(tx as TransactionOf<Db>);
        } catch (error) {
          await opened;
          throw error;
        }
        await opened;
        const last = closing(result);
        if (last) await executeStatement(tx, last);
        return result;
      }),
  };
}

/** The parts of a postgres.js client the pipelined runner uses (the `postgres` package, v3). */
interface PostgresJsQuery extends Promise<unknown> {
  simple?: () => PostgresJsQuery;
}
interface PostgresJsConnection {
  unsafe(text: string, args?: unknown[], options?: { prepare?: boolean; simple?: boolean }): PostgresJsQuery;
  release(): void;
}
interface PostgresJsClient {
  reserve(): Promise<PostgresJsConnection>;
  options?: { prepare?: boolean };
}

/**
 * drizzle over postgres.js: the transaction runs on a reserved connection, and the kit's statements travel
 * in the same network writes as their neighbours. BEGIN and the opening statement go out with fn's first
 * statement; the closing statement and COMMIT go out together. A one-statement action then takes one round
 * trip more than the statement alone (which postgres.js sends in two: describe, then execute), where
 * `db.transaction` with unprepared statements took four more. The kit's own statements are prepared once
 * per connection (unless the client was created with `prepare: false`, as behind PgBouncer in transaction
 * mode).
 *
 * If the closing statement fails, the COMMIT sent behind it finds the transaction aborted and ends it
 * without committing (PostgreSQL answers ROLLBACK), and the error is reported: nothing is half-stored.
 */
function pipelinedRunner<Db extends AnyDatabase>(db: Db): TransactionRunner<Db> | null {
  const internals = db as unknown as { $client?: unknown; session?: unknown; dialect?: unknown };
  const obstacle = pipelinedRunnerObstacle(db);
  if (obstacle) {
    if (is(internals.session, PostgresJsSession)) {
      console.warn(`activity-kit: withTracking uses db.transaction, not its pipelined runner: ${obstacle}.`);
    }
    return null;
  }
  const client = internals.$client as PostgresJsClient;
  // The session's schema and options (logger, cache) are private in drizzle's types, public at run time.
  const session = internals.session as unknown as { schema: never; options: never };
  const dialect = internals.dialect as ConstructorParameters<typeof PostgresJsTransaction>[0];
  const prepare = client.options?.prepare !== false;

  return {
    kind: "pipelined",
    async run(opening, fn, closing) {
      const connection = await client.reserve();
      const send = (s: Statement) =>
        s.argument === undefined ? connection.unsafe(s.text) : connection.unsafe(s.text, [s.argument], { prepare });
      let inTransaction = false;
      let lost = false;
      try {
        // An opening without an argument (track: false) travels in BEGIN's own message (simple protocol).
        const begun = connection.unsafe(opening.argument === undefined ? `begin;${opening.text}` : "begin");
        const opened = opening.argument === undefined ? begun : send(opening);
        inTransaction = true;
        // Both are queued now, so fn's statements line up behind them.
        begun.catch(() => {});
        opened.catch(() => {});
        const tx = new PostgresJsTransaction(
          dialect,
          new PostgresJsSession(withSavepoints(connection) as never, dialect, session.schema, session.options),
          session.schema,
        );
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn(tx as unknown as TransactionOf<Db>);
        } catch (error) {
          await begun;
          await opened;
          throw error;
        }
        await begun;
        await opened;
        const last = closing(result);
        const ending = [last ? send(last) : null, connection.unsafe("commit")];
        inTransaction = false;
        for (const outcome of await Promise.allSettled(ending)) {
          if (outcome.status === "rejected") throw outcome.reason;
        }
        return result;
      } catch (error) {
        if (connectionLost(error)) {
          // postgres.js has put the connection aside and reconnects it when needed; releasing it would
          // hand a closed socket to the next query.
          lost = true;
        } else if (inTransaction) {
          await connection.unsafe("rollback").catch(() => {});
        }
        throw error;
      } finally {
        if (!lost) connection.release();
      }
    },
  };
}

/**
 * Whether an error means the connection is gone: postgres.js's own connection errors, or a FATAL one from
 * the server (the backend was terminated, the server is shutting down). drizzle wraps query errors, so the
 * causes are looked at too.
 */
function connectionLost(error: unknown): boolean {
  for (let e = error as { code?: unknown; severity?: unknown; cause?: unknown } | undefined; e; e = e.cause as never) {
    if (["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"].includes(String(e.code))) return true;
    if (e.severity === "FATAL" || e.severity === "PANIC") return true;
    if (typeof e !== "object") return false;
  }
  return false;
}

/**
 * What drizzle's nested `tx.transaction()` needs from the client: savepoints, on the same connection.
 */
interface SavepointClient {
  unsafe: PostgresJsConnection["unsafe"];
  savepoint<T>(fn: (nested: SavepointClient) => Promise<T>): Promise<T>;
}

function withSavepoints(connection: PostgresJsConnection): SavepointClient {
  let counter = 0;
  const client: SavepointClient = {
    unsafe: connection.unsafe,
    async savepoint(fn) {
      const name = `activity_savepoint_${++counter}`;
      await connection.unsafe(`savepoint ${name}`);
      try {
        const result = await fn(client);
        await connection.unsafe(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await connection.unsafe(`rollback to savepoint ${name}`);
        throw error;
      }
    },
  };
  return client;
}
