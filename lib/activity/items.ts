import { and, eq, inArray } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import type { ActivityItem, SequencedEvent } from "./feed";
import { type ActorsTable, readablePage } from "./readable";
import { existingRecords } from "./records";
import { type AnyTrackedTable, formatRecordKey } from "./registry";
import { activityEvents } from "./schema";

type ParentRef = NonNullable<ActivityItem["parent"]>;

const parentIdOf = (r: SequencedEvent) => {
  const id = r.metadata.parentEventId;
  return typeof id === "string" && /^\d+$/.test(id) ? id : null;
};

/**
 * The enclosing actions of a page's nested events (`metadata.parentEventId`): from the page itself, else
 * in one query for the rest, each with its workspace (an item names a parent of its own workspace only).
 */
async function parentsOf(
  db: AnyDatabase,
  rows: SequencedEvent[],
): Promise<Map<string, { workspaceId: string; ref: ParentRef }>> {
  const parents = new Map<string, { workspaceId: string; ref: ParentRef }>();
  const add = (r: Pick<SequencedEvent, "id" | "workspaceId" | "action" | "subject" | "actorLabel">) =>
    parents.set(String(r.id), {
      workspaceId: r.workspaceId,
      ref: { id: String(r.id), action: r.action, subject: r.subject, actorName: r.actorLabel },
    });
  const wanted = new Set(rows.map(parentIdOf).filter((id) => id !== null));
  if (wanted.size === 0) return parents;
  for (const r of rows) if (wanted.has(String(r.id))) add(r);
  const missing = [...wanted].filter((id) => !parents.has(id));
  const workspaces = [...new Set(rows.map((r) => r.workspaceId))];
  if (missing.length > 0) {
    const found = await db
      .select({
        id: activityEvents.id,
        workspaceId: activityEvents.workspaceId,
        action: activityEvents.action,
        subject: activityEvents.subject,
        actorLabel: activityEvents.actorLabel,
      })
      .from(activityEvents)
      .where(
        and(
          workspaces.length === 1
            ? eq(activityEvents.workspaceId, workspaces[0]!)
            : inArray(activityEvents.workspaceId, workspaces),
          inArray(activityEvents.id, missing.map(Number)),
        ),
      );
    for (const r of found) add(r);
  }
  return parents;
}

/** Turns events into items, as the kit made by `createActivityKit` does with its own database and tables. */
export type ToItems = (rows: SequencedEvent[], options?: { audit?: boolean }) => Promise<ActivityItem[]>;

/**
 * Events as the API and the feed show them: with the actor, the record's name, link and whether it
 * exists, and the changes as people read them (names looked up once per page and record type, not per
 * line). With `audit`, also the request that caused each (the admin's audit log only).
 */
export async function toItems(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  rows: SequencedEvent[],
  options: { audit?: boolean; actors?: ActorsTable } = {},
): Promise<ActivityItem[]> {
  const refs = rows.flatMap((r) => [
    ...(r.recordType && r.recordId ? [{ type: r.recordType, id: r.recordId }] : []),
    ...r.related,
  ]);
  const existing = await existingRecords(db, tables, refs);
  const readable = await readablePage(db, tables, options.actors, rows);
  const parents = await parentsOf(db, rows);
  const hrefOf = (type: string, id: string) => tables.find((t) => t.type === type)?.href?.(id) ?? null;
  return rows.map((r, i) => {
    const exists = (ref: { type: string; id: string }) => existing.has(formatRecordKey(ref));
    const record = r.recordType && r.recordId ? { type: r.recordType, id: r.recordId } : null;
    const own = record ? hrefOf(record.type, record.id) : null;
    // A record without a page of its own (a comment) links to the first related one that exists and has one.
    const parent = own ? null : r.related.find((ref) => hrefOf(ref.type, ref.id) && exists(ref));
    const parentId = parentIdOf(r);
    const enclosing = parentId ? parents.get(parentId) : undefined;
    return {
      id: String(r.id),
      seq: r.seq,
      occurredAt: r.occurredAt.toISOString(),
      actor: { id: r.actorId, name: r.actorLabel, type: r.actorType as ActivityItem["actor"]["type"] },
      action: r.action,
      subject: r.subject,
      record: record
        ? {
            ...record,
            // Only a page that is there: a deleted record's own page would be a 404.
            href: own && exists(record) ? own : parent ? hrefOf(parent.type, parent.id) : null,
            exists: exists(record),
            label: readable.recordLabel(r.workspaceId, record),
          }
        : null,
      related: r.related,
      metadata: r.metadata,
      changes: r.changes,
      readable: readable.changes[i]!,
      unattributed: r.unattributed,
      ...(enclosing && enclosing.workspaceId === r.workspaceId ? { parent: enclosing.ref } : {}),
      ...(r.erased && Object.keys(r.erased).length > 0 ? { erased: Object.keys(r.erased).sort() } : {}),
      ...(options.audit ? { context: { requestId: r.requestId, ip: r.ip, userAgent: r.userAgent, txId: r.txId } } : {}),
    };
  });
}
