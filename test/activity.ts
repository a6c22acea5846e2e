import { asc, eq } from "drizzle-orm";
import { createActivityKit, sequenceOnce } from "@/lib/activity";
import { activityEvents } from "@/lib/activity/schema";
import { actors, catalogue, trackedTables } from "@/lib/activity-kit";
import type { Database } from "@/lib/db/client";

/** The app's activity kit, bound to a test database. */
export function testKit(db: () => Database) {
  return createActivityKit({ db, catalogue, tables: trackedTables, actors, secret: "test-secret-of-some-length" });
}

export function allEvents(db: Database) {
  return db.select().from(activityEvents).orderBy(asc(activityEvents.id));
}

export function unattributedEvents(db: Database) {
  return db.select().from(activityEvents).where(eq(activityEvents.unattributed, true)).orderBy(asc(activityEvents.id));
}

/** Runs the sequencer until every committed event has its sequence number (what the app's ticks do). */
export async function sequenceAll(db: Database): Promise<void> {
  while (Object.keys(await sequenceOnce(db)).length > 0) {}
}
