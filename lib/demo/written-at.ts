import { type SQL, sql } from "drizzle-orm";
import { currentActivityContext } from "@/lib/activity";

/**
 * When a write happens, for a row's `created_at` and `updated_at`: the time of the activity context when it
 * sets one (the seed replaying weeks of history, an import), else the transaction's `now()`. Either way it is
 * the instant the write's event records, so a row and the event that made it agree on time.
 */
export function writtenAt(): Date | SQL {
  return currentActivityContext().occurredAt ?? sql`now()`;
}
