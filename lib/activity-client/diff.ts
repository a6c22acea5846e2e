import type { Json, RecordRef, RowChange } from "@/lib/activity/types";

/** One line of a line diff: kept, or only on one side. */
export interface DiffLine {
  kind: "same" | "added" | "removed";
  text: string;
}

/** Beyond this many cells the LCS table costs more than it shows: the diff falls back to before/after. */
const MAX_CELLS = 250_000;

/**
 * A line diff of two texts (longest common subsequence): removed lines come before the added lines that
 * replace them, as in a unified diff.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...a.map((text) => ({ kind: "removed" as const, text })),
      ...b.map((text) => ({ kind: "added" as const, text })),
    ];
  }
  // common[i][j]: the length of the LCS of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: "same", text: a[i]! });
      i++;
      j++;
    } else if (common[i + 1]![j]! >= common[i]![j + 1]!) {
      lines.push({ kind: "removed", text: a[i++]! });
    } else {
      lines.push({ kind: "added", text: b[j++]! });
    }
  }
  while (i < a.length) lines.push({ kind: "removed", text: a[i++]! });
  while (j < b.length) lines.push({ kind: "added", text: b[j++]! });
  return lines;
}

/** Text worth a line diff rather than two values side by side. */
export function isLongText(value: Json | undefined): value is string {
  return typeof value === "string" && (value.includes("\n") || value.length > 80);
}

/** A value as a reader sees it in a diff cell. */
export function formatValue(value: Json | undefined): string {
  if (value === undefined || value === null || value === "") return "empty";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** One field of a record's change: its value before and after (undefined: the record did not exist). */
export interface FieldDiff {
  field: string;
  before: Json | undefined;
  after: Json | undefined;
}

/** The fields a change touched: all of a created or deleted row, the changed ones of an update. */
export function fieldDiffs(change: RowChange): FieldDiff[] {
  if (change.op === "update") {
    return Object.entries(change.changes).map(([field, [before, after]]) => ({ field, before, after }));
  }
  return Object.entries(change.row).map(([field, value]) =>
    change.op === "insert" ? { field, before: undefined, after: value } : { field, before: value, after: undefined },
  );
}

/** An event's changes grouped by record (a cascade touches several), in the order first seen. */
export function groupByRecord<C extends RecordRef>(changes: C[]): { record: RecordRef; changes: C[] }[] {
  const groups = new Map<string, { record: RecordRef; changes: C[] }>();
  for (const change of changes) {
    const key = `${change.type}:${change.id}`;
    let group = groups.get(key);
    if (!group) {
      group = { record: { type: change.type, id: change.id }, changes: [] };
      groups.set(key, group);
    }
    group.changes.push(change);
  }
  return [...groups.values()];
}
