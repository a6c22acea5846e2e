import { describe, expect, it } from "vitest";
import type { ActivityItem } from "@/lib/activity";
import { collapseFeed, entryItems } from "./collapse";

let next = 1000;
function item(
  over: Partial<ActivityItem> & {
    recordId?: string;
    at?: number;
    fields?: [string, string, string][];
    parentId?: string;
  },
): ActivityItem {
  const id = over.id ?? String(next--);
  const record = { type: over.record?.type ?? "task", id: over.recordId ?? id, href: null, exists: true, label: null };
  return {
    id,
    seq: Number(id),
    occurredAt: new Date(over.at ?? Date.UTC(2026, 0, 1, 12)).toISOString(),
    actor: over.actor ?? { id: "alice", name: "Alice", type: "user" },
    action: over.action ?? "insert",
    subject: `task ${id}`,
    record,
    related: [],
    metadata: over.metadata ?? {},
    changes: [],
    readable: over.fields
      ? [
          {
            op: "update",
            type: record.type,
            id: record.id,
            fields: over.fields.map(([field, before, after]) => ({ field, label: field, before, after })),
          },
        ]
      : [],
    unattributed: false,
    ...(over.parentId ? { parent: { id: over.parentId, action: "insert", subject: "x", actorName: "Alice" } } : {}),
  } as unknown as ActivityItem;
}

const bob = { id: "bob", name: "Bob", type: "user" as const };

describe("collapseFeed", () => {
  it("folds consecutive events by one actor, one action, one record type into one repeat", () => {
    const items = [item({}), item({}), item({}), item({ actor: bob })];
    const entries = collapseFeed(items);
    expect(entries.map((e) => e.kind)).toEqual(["repeat", "single"]);
    expect(entryItems(entries[0]!)).toEqual(items.slice(0, 3));
  });

  it("keeps different actions, record types and unattributed actors apart", () => {
    const items = [
      item({}),
      item({ action: "delete" }),
      item({ record: { type: "project" } as ActivityItem["record"] }),
      item({ actor: { id: null, name: "", type: "database" } }),
      item({ actor: { id: null, name: "", type: "database" } }),
    ];
    expect(collapseFeed(items).map((e) => e.kind)).toEqual(["single", "single", "single", "single", "single"]);
  });

  it("merges edits of one record within the window into one line with every change, first value to last", () => {
    const t = Date.UTC(2026, 0, 1, 12);
    const items = [
      item({ action: "update", recordId: "7", at: t + 120_000, fields: [["Status", "Doing", "Done"]] }),
      item({ action: "update", recordId: "7", at: t + 60_000, fields: [["Title", "a", "b"]] }),
      item({ action: "update", recordId: "7", at: t, fields: [["Status", "To do", "Doing"]] }),
      item({ action: "update", recordId: "7", at: t - 10 * 60_000, fields: [["Title", "x", "a"]] }),
    ];
    const entries = collapseFeed(items);
    expect(entries.map((e) => e.kind)).toEqual(["edits", "single"]);
    const edits = entries[0]!;
    if (edits.kind !== "edits") throw new Error("not edits");
    expect(edits.items).toHaveLength(3);
    expect(edits.changes.map((c) => [c.field, c.before, c.after])).toEqual([
      ["Status", "To do", "Done"],
      ["Title", "a", "b"],
    ]);
  });

  it("never runs across a boundary the caller draws (another day)", () => {
    const items = [item({ at: 2 }), item({ at: 1 })];
    expect(collapseFeed(items, { apart: (a, b) => a.occurredAt !== b.occurredAt }).map((e) => e.kind)).toEqual([
      "single",
      "single",
    ]);
  });

  it("keeps a run's key as live events join it on top", () => {
    const older = [item({}), item({})];
    const before = collapseFeed(older);
    const after = collapseFeed([item({}), ...older]);
    expect(after).toHaveLength(1);
    expect(after[0]!.key).toBe(before[0]!.key);
    expect(entryItems(after[0]!)).toHaveLength(3);
  });

  it("nests the events of inner tracked actions under their outer action, at its place", () => {
    const outer = item({ id: "10", action: "project.archived" });
    const inner1 = item({ id: "12", parentId: "10" });
    const inner2 = item({ id: "11", parentId: "12" });
    const other = item({ id: "9", actor: bob });
    const entries = collapseFeed([inner1, inner2, outer, other]);
    expect(entries.map((e) => e.kind)).toEqual(["single", "single"]);
    const first = entries[0]!;
    if (first.kind !== "single") throw new Error("not single");
    expect(first.item.id).toBe("10");
    expect(first.parts.map((p) => p.id)).toEqual(["12", "11"]);
  });

  it("shows an inner event on its own while its outer one is not loaded", () => {
    const inner = item({ parentId: "1" });
    expect(collapseFeed([inner])).toEqual([{ kind: "single", key: inner.id, item: inner, parts: [] }]);
  });

  it("nests by the parent the server resolved, not by a parentEventId the metadata merely claims", () => {
    const outer = item({ id: "20", actor: bob });
    const claims = item({ id: "21", metadata: { parentEventId: "20" } });
    expect(collapseFeed([claims, outer]).map((e) => e.key)).toEqual(["21", "20"]);
  });

  it("leaves events with a reason on lines of their own", () => {
    const items = [
      item({ action: "task.cancelled", metadata: { reason: "duplicate" } }),
      item({ action: "task.cancelled", metadata: { reason: "out of scope" } }),
      item({ action: "task.cancelled" }),
      item({ action: "task.cancelled" }),
    ];
    expect(collapseFeed(items).map((e) => e.kind)).toEqual(["single", "single", "repeat"]);
  });
});
