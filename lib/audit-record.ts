import type { RecordRef } from "@/lib/activity";
import { activity } from "@/lib/activity-kit";

/** The record a history URL names (`/admin/audit/<type>/<id>`), or null when no tracked table has it. */
export function auditRecordFrom(params: { recordType: string; recordId: string }): RecordRef | null {
  const { recordType, recordId } = params;
  if (!activity.tables.some((t) => t.type === recordType)) return null;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(recordId)) return null;
  return { type: recordType, id: recordId };
}
