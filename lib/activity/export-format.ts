import type { ActivityItem } from "./feed";
import { changesText } from "./readable";

export const EXPORT_FORMATS = ["csv", "json", "ndjson"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
};

export const CSV_COLUMNS = [
  "id",
  "occurred_at",
  "actor_type",
  "actor_id",
  "actor",
  "action",
  "subject",
  "record_type",
  "record_id",
  "reason",
  "unattributed",
  "request_id",
  "ip",
  "user_agent",
  "metadata",
  "changes",
  "what_changed",
] as const;

/**
 * One CSV field: quoted when it holds a comma, a quote or a line break; and a value that a spreadsheet
 * would run as a formula (=, +, -, @ first) is prefixed with an apostrophe.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(item: ActivityItem): string {
  const reason = typeof item.metadata.reason === "string" ? item.metadata.reason : null;
  const values = [
    item.id,
    item.occurredAt,
    item.actor.type,
    item.actor.id,
    item.actor.name,
    item.action,
    item.subject,
    item.record?.type,
    item.record?.id,
    reason,
    item.unattributed,
    item.context?.requestId,
    item.context?.ip,
    item.context?.userAgent,
    item.metadata,
    item.changes,
    // The same changes as people read them ("Status: To do → Doing"): the column a spreadsheet user reads.
    changesText(item.readable),
  ];
  return `${values.map(csvField).join(",")}\r\n`;
}

/** The export's text, piece by piece: header, one piece per batch, footer. */
export function exportPieces(format: ExportFormat) {
  let first = true;
  return {
    header: format === "csv" ? `${CSV_COLUMNS.join(",")}\r\n` : format === "json" ? "[\n" : "",
    batch(items: ActivityItem[]): string {
      if (format === "csv") return items.map(csvRow).join("");
      if (format === "ndjson") return items.map((i) => `${JSON.stringify(i)}\n`).join("");
      if (items.length === 0) return "";
      const piece = `${first ? "" : ",\n"}${items.map((i) => JSON.stringify(i)).join(",\n")}`;
      first = false;
      return piece;
    },
    footer: format === "json" ? "\n]\n" : "",
  };
}
