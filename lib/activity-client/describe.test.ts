import { describe, expect, it } from "vitest";
import type { ActivityItem } from "@/lib/activity";
import {
  actionLabel,
  actionVerb,
  changedSummary,
  countOf,
  excerptOf,
  initials,
  ownChanges,
  reasonOf,
} from "./describe";

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

  it("counts records of a type for a collapsed run", () => {
    expect(
      [
        [9, "task"],
        [1, "task"],
        [2, "line_item"],
        [3, "category"],
        [2, "day"],
        [4, "address"],
        [2, "batch"],
      ].map(([n, type]) => countOf(n as number, type as string)),
    ).toEqual(["9 tasks", "1 task", "2 line items", "3 categories", "2 days", "4 addresses", "2 batches"]);
  });

  it("makes initials of one or more names", () => {
    expect(initials("Alice Adams")).toBe("AA");
    expect(initials("Mary Ann de Vries")).toBe("MV");
    expect(initials("postgres")).toBe("P");
    expect(initials(" ")).toBe("?");
  });

  it("reads the reason and the changed fields of the event's own record", () => {
    const status = { field: "status", label: "Status", before: "To do", after: "Done" };
    const item = {
      action: "update",
      subject: "task Fix login",
      record: { type: "task", id: "1", href: null, exists: true, label: "Fix login" },
      metadata: { reason: " Duplicate " },
      readable: [
        { type: "task", id: "1", op: "update", label: "Fix login", fields: [status] },
        {
          type: "comment",
          id: "9",
          op: "update",
          label: "b",
          fields: [{ field: "body", label: "Comment", before: "a", after: "b" }],
        },
      ],
    } as unknown as ActivityItem;
    expect(reasonOf(item)).toBe("Duplicate");
    expect(ownChanges(item)).toEqual([status]);
    expect(excerptOf(item)).toBeNull();
    expect(changedSummary(item)).toBe("Status: To do → Done");
    const assignee = { field: "assignee_id", label: "Assignee", before: "none", after: "Bob" };
    const two = { ...item, readable: [{ ...item.readable[0]!, fields: [status, assignee] }] } as ActivityItem;
    expect(changedSummary(two)).toBe("Status, Assignee");
    expect(changedSummary({ ...item, readable: [] } as unknown as ActivityItem)).toBeNull();
  });

  it("quotes a created record's name when the line does not say it, shortened", () => {
    const comment = (label: string) =>
      ({
        action: "insert",
        subject: "comment on Fix login",
        record: { type: "comment", id: "3", href: "/tasks/1", exists: true, label },
        readable: [],
      }) as unknown as ActivityItem;
    expect(excerptOf(comment("Looks\n good"))).toBe("Looks good");
    expect(excerptOf(comment("x".repeat(200)))).toBe(`${"x".repeat(139)}…`);
    expect(excerptOf({ ...comment("Fix login"), subject: "task Fix login" })).toBeNull();
  });
});
