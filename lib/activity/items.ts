import type { AnyDatabase } from "./database";
import type { ActivityItem, SequencedEvent } from "./feed";
import { type ActorsTable, readablePage } from "./readable";
import { existingRecords } from "./records";
import { type AnyTrackedTable, formatRecordKey } from "./registry";

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
  const hrefOf = (type: string, id: string) => tables.find((t) => t.type === type)?.href?.(id) ?? null;
  return rows.map((r, i) => {
    const exists = (ref: { type: string; id: string }) => existing.has(formatRecordKey(ref));
    const record = r.recordType && r.recordId ? { type: r.recordType, id: r.recordId } : null;
    const own = record ? hrefOf(record.type, record.id) : null;
    // A record without a page of its own (a comment) links to the first related one that exists and has one.
    const parent = own ? null : r.related.find((ref) => hrefOf(ref.type, ref.id) && exists(ref));
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
      ...(r.erased && Object.keys(r.erased).length > 0 ? { erased: Object.keys(r.erased).sort() } : {}),
      ...(options.audit ? { context: { requestId: r.requestId, ip: r.ip, userAgent: r.userAgent, txId: r.txId } } : {}),
    };
  });
}
