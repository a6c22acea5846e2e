import type { ActivityItem, ReadableField } from "@/lib/activity";
import { ERASED, jsonPointer } from "@/lib/activity/pointer";

/** How a feed line says each base action: "Alice Adams created task Fix login". */
const VERBS: Record<string, string> = {
  insert: "created",
  update: "updated",
  delete: "deleted",
  revert: "reverted",
};

/** The past-tense verb of an action: base actions by table, app verbs by their last segment. */
export function actionVerb(action: string): string {
  return VERBS[action] ?? action.split(".").at(-1)!.replaceAll("_", " ");
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The action filter's option label: "Created", …, "Task cancelled". */
export function actionLabel(action: string): string {
  if (VERBS[action]) return capitalize(VERBS[action]);
  const segments = action.split(".");
  const verb = actionVerb(action);
  return segments.length > 1 ? capitalize(`${segments.slice(0, -1).join(" ")} ${verb}`) : capitalize(verb);
}

/** "Alice Adams" → "AA"; "postgres" → "P". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!] : words;
  return letters.map((word) => [...word][0]!.toUpperCase()).join("") || "?";
}

/** The reason given for an action (`task.cancelled` requires one; other actions may carry one). */
export function reasonOf(item: ActivityItem): string | null {
  const reason = item.metadata.reason;
  return typeof reason === "string" && reason.trim() ? reason.trim() : null;
}

/** What the UI shows where erasure removed a person's data. */
export const ERASED_LABEL = ERASED;

/** The pointer of a field's value in an event's changes, as `erased` lists it (RFC 6901). */
export const changePointer = (index: number, ...rest: (string | number)[]) => jsonPointer("changes", index, ...rest);

/** Whether the item's value at the pointer was erased. */
export const isErased = (item: Pick<ActivityItem, "erased">, pointer: string) =>
  item.erased?.includes(pointer) ?? false;

/** The fields an event changed on its own record, for the line under it: "Status: To do → Doing". */
export function ownChanges(item: ActivityItem): ReadableField[] {
  return item.readable
    .filter(
      (change) =>
        change.op === "update" && (!item.record || (change.type === item.record.type && change.id === item.record.id)),
    )
    .flatMap((change) => change.fields);
}

const EXCERPT_LENGTH = 140;

/**
 * A created or deleted record's name when the line does not already say it (a comment's text under "Alice
 * created comment on Fix login"), shortened.
 */
export function excerptOf(item: ActivityItem): string | null {
  const label = item.record?.label?.trim();
  if (!label || item.action === "update" || item.subject.includes(label)) return null;
  const flat = label.replace(/\s+/g, " ");
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH - 1)}…` : flat;
}

/** A value shortened for a one-line summary. */
export function shortValue(value: string): string {
  return value.length > 40 ? `${value.slice(0, 39)}…` : value;
}

/**
 * What an update changed, for one table cell: "Status: To do → Doing" for one field, else the field labels
 * ("Status, Assignee"); null when it changed no field of its record (a create, a delete, a comment).
 */
export function changedSummary(item: ActivityItem): string | null {
  const fields = ownChanges(item);
  if (fields.length === 0) return null;
  if (fields.length === 1) {
    const [only] = fields as [ReadableField];
    return `${only.label}: ${shortValue(only.before ?? "none")} → ${shortValue(only.after ?? "none")}`;
  }
  return fields.map((f) => f.label).join(", ");
}

/** A record type counted, for a collapsed run: (1, "task") → "1 task"; (9, "task") → "9 tasks"; "line_item" → "line items". */
export function countOf(count: number, type: string): string {
  const noun = type.replaceAll(/[_-]+/g, " ").trim() || "record";
  if (count === 1) return `1 ${noun}`;
  const plural = /[^aeiou]y$/i.test(noun)
    ? `${noun.slice(0, -1)}ies`
    : /(s|x|z|ch|sh)$/i.test(noun)
      ? `${noun}es`
      : `${noun}s`;
  return `${count} ${plural}`;
}
