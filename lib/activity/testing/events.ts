import { asc, eq } from "drizzle-orm";
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
