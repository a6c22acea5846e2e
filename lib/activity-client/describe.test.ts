import { describe, expect, it } from "vitest";
import type { ActivityItem } from "@/lib/activity";
import { actionLabel, actionVerb, fieldChanges, initials, reasonOf } from "./describe";

describe("how a line reads", () => {
  it("says base actions as verbs and app verbs by their last segment", () => {
    expect(["insert", "update", "delete", "revert", "task.cancelled", "invoice.marked_paid"].map(actionVerb)).toEqual([
      "created",
      "updated",
      "deleted",
      "reverted",
      "cancelled",
      "marked paid",
    ]);
    expect(["insert", "task.cancelled"].map(actionLabel)).toEqual(["Created", "Task cancelled"]);
  });

  it("makes initials of one or more names", () => {
    expect(initials("Alice Adams")).toBe("AA");
    expect(initials("Mary Ann de Vries")).toBe("MV");
    expect(initials("postgres")).toBe("P");
    expect(initials(" ")).toBe("?");
  });

  it("reads the reason and the changed fields of the event's own record", () => {
    const item = {
      action: "update",
      record: { type: "task", id: "1", href: null, exists: true },
      metadata: { reason: " Duplicate " },
      changes: [
        { type: "task", id: "1", op: "update", changes: { status: ["todo", "done"], assignee_id: [1, 2] } },
        { type: "comment", id: "9", op: "update", changes: { body: ["a", "b"] } },
      ],
    } as unknown as ActivityItem;
    expect(reasonOf(item)).toBe("Duplicate");
    expect(fieldChanges(item)).toEqual([
      { field: "status", values: { before: "todo", after: "done" } },
      { field: "assignee" },
    ]);
  });

  it("says erased where erasure removed a value, and empty where there was none", () => {
    const item = {
      action: "update",
      record: { type: "user", id: "1", href: null, exists: true },
      changes: [
        { type: "comment", id: "9", op: "insert", row: { body: "hi" } },
        { type: "user", id: "1", op: "update", changes: { email: [null, null], nickname: ["", "Al"] } },
      ],
      erased: ["/changes/1/changes/email/0", "/changes/1/changes/email/1"],
    } as unknown as ActivityItem;
    expect(fieldChanges(item)).toEqual([
      { field: "email", values: { before: "erased", after: "erased" } },
      { field: "nickname", values: { before: "empty", after: "Al" } },
    ]);
  });
});
