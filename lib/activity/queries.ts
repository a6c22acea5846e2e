import { and, desc, eq, inArray } from "drizzle-orm";
import type { Actor } from "./actor";
import type { AnyDatabase } from "./database";
import { type ActivityEventRow, activityEvents } from "./schema";
import { touchingRecord } from "./touching";
import type { RecordRef } from "./types";
import { type WorkspaceId, workspaceKey } from "./workspace";

export interface HistoryOptions {
  /** Every read is scoped to a workspace: the viewer's (omitted in a single-tenant app). */
  workspaceId?: WorkspaceId;
  limit?: number;
}

export function createQueries<Db extends AnyDatabase>(getDb: () => Db | Promise<Db>) {
  /**
   * The record's history in the workspace, oldest to newest: all of it, or, past `limit` (10,000 by
   * default), its most recent `limit` events.
   */
  async function history(record: RecordRef, options: HistoryOptions = {}): Promise<ActivityEventRow[]> {
    const db = await getDb();
    const newestFirst = await db
      .select()
      .from(activityEvents)
      .where(and(eq(activityEvents.workspaceId, workspaceKey(options.workspaceId)), touchingRecord(record)))
      .orderBy(desc(activityEvents.occurredAt), desc(activityEvents.id))
      .limit(options.limit ?? 10_000);
    return newestFirst.reverse();
  }

  /**
   * One event of the workspace by its id (an audit permalink), or null when the workspace has none with
   * that id. `eventId` must be a positive safe integer (else null, without a query).
   */
  async function event(eventId: number, options: HistoryOptions = {}): Promise<ActivityEventRow | null> {
    if (!Number.isSafeInteger(eventId) || eventId < 1) return null;
    const db = await getDb();
    const [row] = await db
      .select()
      .from(activityEvents)
      .where(and(eq(activityEvents.id, eventId), eq(activityEvents.workspaceId, workspaceKey(options.workspaceId))))
      .limit(1);
    return row ?? null;
  }

  /** Whether anything has been recorded about the record. */
  async function isTracked(record: RecordRef, options: HistoryOptions = {}): Promise<boolean> {
    const db = await getDb();
    const rows = await db
      .select({ id: activityEvents.id })
      .from(activityEvents)
      .where(and(eq(activityEvents.workspaceId, workspaceKey(options.workspaceId)), touchingRecord(record)))
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
          eq(activityEvents.workspaceId, workspaceKey(options.workspaceId)),
          inArray(activityEvents.actorId, ids),
          touchingRecord(record),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  return { event, history, isTracked, isTrackedBy };
}
