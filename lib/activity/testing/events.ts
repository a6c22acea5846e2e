import { asc, eq, sql } from "drizzle-orm";
import type { AnyDatabase } from "../database";
import { activityEvents } from "../schema";

/** Every stored event, oldest first. */
export function allEvents(db: AnyDatabase) {
  return db.select().from(activityEvents).orderBy(asc(activityEvents.id));
}

/** The changes captured outside `withTracking`, oldest first. */
export function unattributedEvents(db: AnyDatabase) {
  return db.select().from(activityEvents).where(eq(activityEvents.unattributed, true)).orderBy(asc(activityEvents.id));
}

/**
 * `n` events of a workspace written straight into the log (as a script outside `withTracking` would),
 * subjects `<prefix> 1` … `<prefix> n`: many events in one statement, for the live stream's bounds.
 */
export async function writeEvents(db: AnyDatabase, workspaceId: string, n: number, prefix = "bulk"): Promise<void> {
  await db.execute(sql`INSERT INTO activity_events (workspace_id, actor_type, actor_id, actor_label, action, subject,
                                                    record_type, record_id)
    SELECT ${workspaceId}, 'user', '1', 'Script', 'insert', ${prefix} || ' ' || g, 'note', g::text
      FROM generate_series(1, ${n}::int) AS g`);
}
