import type { ActivityItem } from "@/lib/activity";
import type { ReadableField } from "@/lib/activity/readable";
import { ownChanges } from "./describe";

/** Edits of one record by one person closer together than this read as one line. */
export const EDIT_WINDOW_MS = 5 * 60_000;

/**
 * What the feed shows for a run of loaded events:
 * - `single`: one event, with the events of the tracked actions nested in it (`parts`);
 * - `repeat`: consecutive events by one actor with one action on one record type ("Alice created 9
 *   tasks"), collapsed to one line that expands to them;
 * - `edits`: consecutive edits of one record by one person within a few minutes, as one line with all
 *   the changes (each field from its first value to its last).
 *
 * `key` is the newest event's id for a single line and the oldest's for a run: the oldest stays put while
 * live events join the run on top.
 */
export type FeedEntry =
  | { kind: "single"; key: string; item: ActivityItem; parts: ActivityItem[] }
  | { kind: "repeat"; key: string; items: ActivityItem[] }
  | { kind: "edits"; key: string; items: ActivityItem[]; changes: ReadableField[] };

/**
 * The enclosing action's event, as the server resolved it (`item.parent`: checked to be of the item's own
 * workspace), not the raw `metadata.parentEventId`, which names any id it was given.
 */
const parentOf = (item: ActivityItem): string | null => item.parent?.id ?? null;

/** The outermost loaded event an event is part of (nested actions can nest again). */
function outermost(item: ActivityItem, byId: Map<string, ActivityItem>): ActivityItem | null {
  let found: ActivityItem | null = null;
  const seen = new Set<string>();
  for (let parent = parentOf(item); parent && !seen.has(parent); ) {
    seen.add(parent);
    const outer = byId.get(parent);
    if (!outer) break;
    found = outer;
    parent = parentOf(outer);
  }
  return found;
}

const sameRecordType = (a: ActivityItem, b: ActivityItem) =>
  (a.record?.type ?? null) !== null && a.record?.type === b.record?.type;

function repeats(a: ActivityItem, b: ActivityItem): boolean {
  return (
    a.actor.id !== null &&
    a.actor.id === b.actor.id &&
    a.action === b.action &&
    sameRecordType(a, b) &&
    !reasonOrComment(a) &&
    !reasonOrComment(b)
  );
}

function sameRecordEdit(a: ActivityItem, b: ActivityItem): boolean {
  return a.action === "update" && repeats(a, b) && a.record?.id === b.record?.id;
}

/** A line with a reason says something of its own: it is not folded into another (a run hides its lines). */
function reasonOrComment(item: ActivityItem): boolean {
  return typeof item.metadata.reason === "string" && item.metadata.reason.trim() !== "";
}

/** Each field from its value before the oldest edit to its value after the newest (`items` newest first). */
export function mergedChanges(items: readonly ActivityItem[]): ReadableField[] {
  const fields = new Map<string, ReadableField>();
  for (const item of [...items].reverse()) {
    for (const change of ownChanges(item)) {
      const known = fields.get(change.field);
      fields.set(change.field, known ? { ...change, before: known.before } : change);
    }
  }
  return [...fields.values()].filter((change) => change.before !== change.after);
}

/**
 * The loaded events (newest first) as the feed's entries, in the same order. Pure: the same events give
 * the same entries, so live events arriving on top only grow or add entries at the top. `apart(a, b)`
 * keeps two neighbours out of one run (the feed passes "on different days").
 */
export function collapseFeed(
  items: readonly ActivityItem[],
  {
    apart = () => false,
    editWindowMs = EDIT_WINDOW_MS,
  }: { apart?: (a: ActivityItem, b: ActivityItem) => boolean; editWindowMs?: number } = {},
): FeedEntry[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const parts = new Map<string, ActivityItem[]>();
  const top: ActivityItem[] = [];
  for (const item of items) {
    const outer = outermost(item, byId);
    if (outer) parts.set(outer.id, [...(parts.get(outer.id) ?? []), item]);
    else top.push(item);
  }

  const entries: FeedEntry[] = [];
  let i = 0;
  while (i < top.length) {
    const first = top[i]!;
    let j = i + 1;
    const nested = (item: ActivityItem) => parts.has(item.id);
    if (!nested(first)) {
      // Edits of one record first: they say more than "updated 3 tasks".
      while (
        j < top.length &&
        !nested(top[j]!) &&
        !apart(top[j - 1]!, top[j]!) &&
        sameRecordEdit(first, top[j]!) &&
        Date.parse(first.occurredAt) - Date.parse(top[j]!.occurredAt) <= editWindowMs
      ) {
        j++;
      }
      if (j - i > 1) {
        const run = top.slice(i, j);
        entries.push({ kind: "edits", key: run.at(-1)!.id, items: run, changes: mergedChanges(run) });
        i = j;
        continue;
      }
      while (j < top.length && !nested(top[j]!) && !apart(top[j - 1]!, top[j]!) && repeats(first, top[j]!)) j++;
      if (j - i > 1) {
        const run = top.slice(i, j);
        entries.push({ kind: "repeat", key: run.at(-1)!.id, items: run });
        i = j;
        continue;
      }
    }
    entries.push({ kind: "single", key: first.id, item: first, parts: parts.get(first.id) ?? [] });
    i += 1;
  }
  return entries;
}

/** The events an entry stands for. */
export function entryItems(entry: FeedEntry): ActivityItem[] {
  return entry.kind === "single" ? [entry.item, ...entry.parts] : entry.items;
}
