import type { ActivityItem } from "@/lib/activity";

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
export const ERASED_LABEL = "erased";

/** The pointer of a field's value in an event's changes, as `erased` lists it (RFC 6901). */
export function changePointer(index: number, ...rest: (string | number)[]): string {
  return [`/changes/${index}`, ...rest.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`)].join(
    "",
  );
}

/** Whether the item's value at the pointer was erased. */
export const isErased = (item: Pick<ActivityItem, "erased">, pointer: string) =>
  item.erased?.includes(pointer) ?? false;

export interface FieldChange {
  field: string;
  /** Absent for references (`assignee_id`): their ids mean nothing to a reader. */
  values?: { before: string; after: string };
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === "") return "empty";
  if (typeof value === "string") return value.length > 40 ? `${value.slice(0, 39)}…` : value;
  return JSON.stringify(value);
}

/** The changed fields of the event's own record, for an update's second line: `status: todo → doing`. */
export function fieldChanges(item: ActivityItem): FieldChange[] {
  return item.changes.flatMap((change, index) => {
    if (change.op !== "update") return [];
    if (item.record && !(change.type === item.record.type && change.id === item.record.id)) return [];
    return Object.entries(change.changes).map(([column, [before, after]]): FieldChange => {
      const reference = /_id$|[a-z]Id$/.test(column);
      const field = column
        .replace(/_id$|Id$/, "")
        .replace(/([a-z])([A-Z])/g, "$1 $2")
        .replaceAll("_", " ")
        .toLowerCase();
      const value = (v: unknown, side: 0 | 1) =>
        isErased(item, changePointer(index, "changes", column, side)) ? ERASED_LABEL : show(v);
      return reference ? { field } : { field, values: { before: value(before, 0), after: value(after, 1) } };
    });
  });
}
