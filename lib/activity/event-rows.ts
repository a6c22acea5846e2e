import { inArray } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { type ActivityEventRow, activityEvents } from "./schema";

const CHUNK = 5_000;

/**
 * Events by id, read through drizzle's column mapping: sealing and verifying digest exactly the same values
 * (a `Date` for `occurred_at`, parsed jsonb), whatever the driver.
 */
export async function readEventsById(db: AnyDatabase, ids: readonly number[]): Promise<Map<number, ActivityEventRow>> {
  const byId = new Map<number, ActivityEventRow>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await db
      .select()
      .from(activityEvents)
      .where(inArray(activityEvents.id, unique.slice(i, i + CHUNK)));
    for (const row of rows) byId.set(row.id, row);
  }
  return byId;
}
