import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import type { Listen } from "./live";

type Unlisten = () => Promise<void>;

/** postgres.js: `sql` is a function; `onListen` runs on every (re)listen. */
interface PostgresJsClient {
  (...args: never[]): unknown;
  listen(channel: string, onMessage: (payload: string) => void, onListen?: () => void): Promise<{ unlisten: Unlisten }>;
}

/** PGlite: an object whose third `listen` argument is a transaction, not a callback. */
interface PgliteClient {
  listen(channel: string, onMessage: (payload: string) => void): Promise<Unlisten>;
}

/**
 * LISTEN through the client a drizzle database was made with (`db.$client`): postgres.js keeps a connection
 * of its own for it and re-listens after losing it (then `onReconnect` runs); PGlite has a single one.
 */
export async function listenThrough(
  db: AnyDatabase,
  ...[channel, onMessage, onReconnect]: Parameters<Listen>
): Promise<Unlisten> {
  const client = (db as { $client?: unknown }).$client as PostgresJsClient | PgliteClient | undefined;
  if (typeof client === "function" && typeof client.listen === "function") {
    let first = true;
    const { unlisten } = await client.listen(channel, onMessage, () => {
      if (!first) onReconnect?.();
      first = false;
    });
    return unlisten;
  }
  if (typeof client === "object" && client !== null && typeof client.listen === "function") {
    return client.listen(channel, onMessage);
  }
  throw new ActivityError(
    "not_registered",
    "The database client cannot LISTEN: pass `listen` to createActivityKit (postgres.js and PGlite can).",
  );
}
