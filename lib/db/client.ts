import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DbHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** Runs the committed migrations in `drizzle/`. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** LISTEN on a connection of its own; `onReconnect` runs after a lost connection is back. */
  listen(channel: string, onMessage: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /** PGlite only: a tarball of the data folder, to start other instances from. */
  dumpDataDir?(): Promise<Blob>;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

export function embeddedDataDir(): string {
  return path.resolve(
    /*turbopackIgnore: true*/ process.env.PGLITE_DATA_DIR ?? path.join(process.cwd(), ".data", "pglite"),
  );
}

export interface PostgresOptions {
  max?: number;
  /** Prepared statements (postgres.js `prepare`); off by default behind a pooler (`directUrl` given). */
  prepare?: boolean;
  /**
   * The server itself, when `url` goes through a transaction pooler (PgBouncer in `pool_mode =
   * transaction`): LISTEN needs a session of its own, and migrations run there. Statements through the
   * pooler are then sent unprepared, since a pooler of that kind hands each transaction to any server
   * connection.
   */
  directUrl?: string;
}

/** A PostgreSQL server through the `postgres` driver (directly, or through a transaction pooler). */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<DbHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const pooled = Boolean(options.directUrl);
  const prepare = options.prepare ?? (pooled ? false : undefined);
  // postgres.js reads a present-but-undefined `prepare` as false: pass it only when it is given.
  const client = postgres(url, {
    max: options.max ?? 10,
    ...(prepare === undefined ? {} : { prepare }),
    onnotice: () => {},
  });
  const db = drizzle(client, { schema }) as unknown as Database;
  // The session for LISTEN and migrations: the server itself, opened on first use, when behind a pooler.
  let direct: ReturnType<typeof postgres> | undefined;
  const session = () => {
    if (!options.directUrl) return client;
    direct ??= postgres(options.directUrl, { max: 1, onnotice: () => {} });
    return direct;
  };
  return {
    db,
    kind: "postgres",
    async migrate() {
      const { migrate } = await import("drizzle-orm/postgres-js/migrator");
      const target = pooled ? (drizzle(session(), { schema }) as unknown as Database) : db;
      await migrate(target as never, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    async listen(channel, onMessage, onReconnect) {
      let first = true;
      const { unlisten } = await session().listen(
        channel,
        (payload) => onMessage(payload),
        () => {
          if (!first) onReconnect?.();
          first = false;
        },
      );
      return unlisten;
    },
    async close() {
      await Promise.all([client.end({ timeout: 5 }), direct?.end({ timeout: 5 })]);
    },
  };
}

/**
 * The embedded PostgreSQL (PGlite). One process per data folder: PGlite takes no lock, and a second
 * process on the same folder silently loses writes.
 */
export async function openPglite(
  source: { dataDir: string } | { loadDataDir: Blob } | { memory: true },
): Promise<DbHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let client: InstanceType<typeof PGlite>;
  let release = () => {};
  if ("dataDir" in source) {
    // The database holds every workspace's data: its folders are readable by their owner only (a parent
    // folder that already existed, which may be anyone's, is left as it is).
    mkdirSync(path.dirname(source.dataDir), { recursive: true, mode: 0o700 });
    release = lockDataDir(source.dataDir);
    client = await PGlite.create(source.dataDir);
    chmodSync(source.dataDir, 0o700);
  } else if ("loadDataDir" in source) {
    client = await PGlite.create({ loadDataDir: source.loadDataDir });
  } else {
    client = await PGlite.create();
  }
  const db = drizzle(client, { schema }) as unknown as Database;
  return {
    db,
    kind: "pglite",
    async migrate() {
      const { migrate } = await import("drizzle-orm/pglite/migrator");
      await migrate(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    async close() {
      await client.close();
      release();
    },
    async listen(channel, onMessage) {
      return client.listen(channel, onMessage);
    },
    dumpDataDir: () => client.dumpDataDir("none"),
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite takes no lock of its own, and two processes on one folder silently lose writes: a pid file
 * beside the folder makes the second one (a seed script while the app runs, say) fail with a reason.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  let holder = Number.NaN;
  try {
    holder = Number(readFileSync(lockFile, "utf8"));
  } catch {}
  if (Number.isSafeInteger(holder) && holder !== process.pid && processAlive(holder)) {
    throw new Error(
      `The embedded database ${dataDir} is open in process ${holder} (is the app running?). Stop that process first.`,
    );
  }
  writeFileSync(lockFile, String(process.pid));
  const release = () => rmSync(lockFile, { force: true });
  process.once("exit", release);
  return release;
}

/**
 * `DATABASE_URL` when set (with `DATABASE_DIRECT_URL` when that one goes through a transaction pooler),
 * otherwise the embedded database under `.data/`.
 */
export function openConfigured(): Promise<DbHandle> {
  const url = process.env.DATABASE_URL;
  const directUrl = process.env.DATABASE_DIRECT_URL || undefined;
  return url ? openPostgres(url, { directUrl }) : openPglite({ dataDir: embeddedDataDir() });
}

export { rowsOf } from "@/lib/activity/rows";
