import type { AnyDatabase } from "./database";
import type { ActivityItem, SequencedEvent } from "./feed";
import { existingRecords } from "./records";
import { type AnyTrackedTable, formatRecordKey } from "./registry";

/** Turns events into items, as the kit made by `createActivityKit` does with its own database and tables. */
export type ToItems = (rows: SequencedEvent[], options?: { audit?: boolean }) => Promise<ActivityItem[]>;

/**
 * Events as the API and the feed show them: with the actor, the record's link, and whether it exists.
 * With `audit`, also the request that caused each (the admin's audit log only).
 */
export async function toItems(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  rows: SequencedEvent[],
  options: { audit?: boolean } = {},
): Promise<ActivityItem[]> {
  const refs = rows.flatMap((r) => (r.recordType && r.recordId ? [{ type: r.recordType, id: r.recordId }] : []));
  const existing = await existingRecords(db, tables, refs);
  return rows.map((r) => {
    const table = tables.find((t) => t.type === r.recordType);
    return {
      id: String(r.id),
      seq: r.seq,
      occurredAt: r.occurredAt.toISOString(),
      actor: { id: r.actorId, name: r.actorLabel, type: r.actorType as ActivityItem["actor"]["type"] },
      action: r.action,
      subject: r.subject,
      record:
        r.recordType && r.recordId
          ? {
              type: r.recordType,
              id: r.recordId,
              href: table?.href?.(r.recordId) ?? null,
              exists: existing.has(formatRecordKey({ type: r.recordType, id: r.recordId })),
            }
          : null,
      related: r.related,
      metadata: r.metadata,
      changes: r.changes,
      unattributed: r.unattributed,
      ...(r.erased && Object.keys(r.erased).length > 0 ? { erased: Object.keys(r.erased).sort() } : {}),
      ...(options.audit ? { context: { requestId: r.requestId, ip: r.ip, userAgent: r.userAgent, txId: r.txId } } : {}),
    };
  });
}
