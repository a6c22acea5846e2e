import { type DbHandle, openConfigured } from "./client";

export type { Database } from "./client";

// Kept on globalThis: Next loads instrumentation and route bundles as separate module graphs in one
// process, and PGlite must be opened once per process.
const globalForDb = globalThis as unknown as { activityKitDb?: Promise<DbHandle> };

async function start(): Promise<DbHandle> {
  const handle = await openConfigured();
  // The embedded database migrates itself; a server is migrated by `npm run db:migrate`. (The demo seed is
  // the server start's business, lib/startup.ts: the database layer knows nothing of it.)
  if (handle.kind === "pglite") await handle.migrate();
  return handle;
}

/** Opens (once) and migrates the configured database. Never called at import time. */
export function getDbHandle(): Promise<DbHandle> {
  globalForDb.activityKitDb ??= start().catch((error) => {
    globalForDb.activityKitDb = undefined;
    throw error;
  });
  return globalForDb.activityKitDb;
}

export async function getDb() {
  return (await getDbHandle()).db;
}
