import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import type { Actor } from "./actor";
import type { AnyDatabase } from "./database";
import { type ActivityEventRow, activityEvents } from "./schema";
import type { RecordRef } from "./types";

/** Events touching the record: its own, those where it is related, and those that cascaded to it. */
function touches(record: RecordRef) {
  const id = String(record.id);
  return or(
    and(eq(activityEvents.recordType, record.type), eq(activityEvents.recordId, id)),
    sql`${activityEvents.refs} @> ARRAY[${`${record.type}:${id}`}]::text[]`,
  );
}

export interface HistoryOptions {
  /** Every read is scoped to a workspace: the viewer's. */
  workspaceId: string | number;
  limit?: number;
}

export function createQueries<Db extends AnyDatabase>(getDb: () => Db | Promise<Db>) {
  /**
   * The record's history in the workspace, oldest to newest: all of it, or, past `limit` (10,000 by
   * default), its most recent `limit` events.
   */
  async function history(record: RecordRef, options: HistoryOptions): Promise<ActivityEventRow[]> {
    const db = await getDb();
    const newestFirst = await db
      .select()
      .from(activityEvents)
      .where(and(eq(activityEvents.workspaceId, String(options.workspaceId)), touches(record)))
      .orderBy(desc(activityEvents.occurredAt), desc(activityEvents.id))
      .limit(options.limit ?? 10_000);
    return newestFirst.reverse();
  }

  /** Whether anything has been recorded about the record. */
  async function isTracked(record: RecordRef, options: HistoryOptions): Promise<boolean> {
    const db = await getDb();
    const rows = await db
      .select({ id: activityEvents.id })
      .from(activityEvents)
      .where(and(eq(activityEvents.workspaceId, String(options.workspaceId)), touches(record)))
      .limit(1);
    return rows.length > 0;
  }

  /** Whether one of these users (or actors) acted on the record. */
  async function isTrackedBy(
    record: RecordRef,
    actors: (Actor | { id: string | number })[],
    options: HistoryOptions,
  ): Promise<boolean> {
    const ids = actors.flatMap((a) => ("id" in a && a.id !== undefined ? [String(a.id)] : []));
    if (ids.length === 0) return false;
    const db = await getDb();
    const rows = await db
      .select({ id: activityEvents.id })
      .from(activityEvents)
      .where(
        and(
          eq(activityEvents.workspaceId, String(options.workspaceId)),
          inArray(activityEvents.actorId, ids),
          touches(record),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  return { history, isTracked, isTrackedBy };
}
