import { readFile } from "node:fs/promises";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { type Database, type DbHandle, openPglite, openPostgres, rowsOf } from "@/lib/db/client";
import { workerDatabaseUrl } from "./worker-databases";

export type { DbHandle };

export interface TestDbOptions {
  /** The server client's pool size. */
  max?: number;
  /** Prepared statements on the server (postgres.js `prepare`). */
  prepare?: boolean;
  /**
   * `app` (the default): the app's migrated schema. `kit`: the kit's fixture tables (lib/activity/testing)
   * and the kit's own tables, nothing of the app.
   */
  database?: "app" | "kit";
}

/** A prepared database of this worker's own: PGlite from the global dump, or a server database. */
export async function openTestDb(options: TestDbOptions = {}): Promise<DbHandle> {
  const { database = "app", ...client } = options;
  const target = inject(database === "kit" ? "kitTestDatabase" : "testDatabase");
  if (target.kind === "postgres") {
    const poolId = Number(process.env.VITEST_POOL_ID ?? 1);
    const directUrl = target.directUrl && workerDatabaseUrl(target.directUrl, poolId);
    return openPostgres(workerDatabaseUrl(target.url, poolId), { max: 20, directUrl, ...client });
  }
  const dump = await readFile(target.dump);
  return openPglite({ loadDataDir: new Blob([dump]) });
}

/**
 * Empties every table of the app (keeps the migrations' bookkeeping). Partitions go with their parent, not
 * by name: a reader of a partitioned table (the sequencer's batch, a stream's replay still finishing)
 * locks the parent before its partitions, and a TRUNCATE that named a partition first could deadlock with
 * it. A deadlock with some other reader is still possible (PostgreSQL then rolls one side back): the
 * TRUNCATE is tried again.
 */
export async function truncateAll(db: Database): Promise<void> {
  const rows = await db.execute<{ name: string }>(
    sql`select quote_ident(c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
  );
  const names = rowsOf<{ name: string }>(rows);
  if (names.length === 0) return;
  // The tests connect as the tables' owner, the one role the kit's append-only guard lets TRUNCATE.
  const truncate = sql.raw(`TRUNCATE ${names.map((r) => r.name).join(", ")} RESTART IDENTITY CASCADE`);
  for (let attempt = 1; ; attempt++) {
    try {
      await db.execute(truncate);
      return;
    } catch (error) {
      if (attempt >= 5 || !isDeadlock(error)) throw error;
    }
  }
}

const isDeadlock = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  ((error as { code?: unknown }).code === "40P01" || isDeadlock((error as { cause?: unknown }).cause));

/**
 * Opens the worker's database for a test file and empties it before each test. Read `.db` inside tests
 * and hooks, not at module level.
 */
export function setupTestDb(options: Pick<TestDbOptions, "database"> = {}) {
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    handle = await openTestDb(options);
  });
  afterAll(async () => {
    await handle?.close();
  });
  beforeEach(async () => {
    await truncateAll(context.db);
  });
  const context = {
    get handle(): DbHandle {
      if (!handle) throw new Error("the test database is opened in beforeAll");
      return handle;
    },
    get db(): Database {
      return context.handle.db;
    },
  };
  return context;
}
