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

/** Empties every table of the app (keeps the migrations' bookkeeping). */
export async function truncateAll(db: Database): Promise<void> {
  const rows = await db.execute<{ name: string }>(
    sql`select quote_ident(tablename) as name from pg_tables where schemaname = 'public'`,
  );
  const names = rowsOf<{ name: string }>(rows);
  if (names.length === 0) return;
  // The tests connect as the tables' owner, the one role the kit's append-only guard lets TRUNCATE.
  await db.execute(sql.raw(`TRUNCATE ${names.map((r) => r.name).join(", ")} RESTART IDENTITY CASCADE`));
}

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
