import { describe, expect, it } from "vitest";
import { diffLines, fieldDiffs, formatValue, groupByRecord, isLongText } from "./diff";

describe("diffLines", () => {
  it("keeps common lines and marks the others", () => {
    expect(diffLines("a\nb\nc", "a\nB\nc\nd")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "B" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });

  it("handles empty sides", () => {
    expect(diffLines("", "x")).toEqual([
      { kind: "removed", text: "" },
      { kind: "added", text: "x" },
    ]);
    expect(diffLines("same", "same")).toEqual([{ kind: "same", text: "same" }]);
  });

  it("rebuilds both texts from its lines", () => {
    const before = "one\ntwo\nthree\nfour\nfive";
    const after = "zero\none\nthree\nfour!\nfive\nsix";
    const lines = diffLines(before, after);
    const side = (kind: "added" | "removed") =>
      lines
        .filter((l) => l.kind !== kind)
        .map((l) => l.text)
        .join("\n");
    expect(side("added")).toBe(before);
    expect(side("removed")).toBe(after);
    expect(lines.filter((l) => l.kind === "same").map((l) => l.text)).toEqual(["one", "three", "five"]);
  });

  it("falls back to before-then-after for huge texts", () => {
    const big = Array.from({ length: 600 }, (_, i) => `line ${i}`).join("\n");
    const lines = diffLines(big, `${big}\nmore`);
    expect(lines.filter((l) => l.kind === "removed")).toHaveLength(600);
    expect(lines.filter((l) => l.kind === "added")).toHaveLength(601);
  });
});

describe("values", () => {
  it("calls multi-line or long strings long text", () => {
    expect(isLongText("a\nb")).toBe(true);
    expect(isLongText("x".repeat(81))).toBe(true);
    expect(isLongText("short")).toBe(false);
    expect(isLongText(42)).toBe(false);
  });

  it("formats blanks as empty and the rest as JSON", () => {
    expect(formatValue(null)).toBe("empty");
    expect(formatValue(undefined)).toBe("empty");
    expect(formatValue("")).toBe("empty");
    expect(formatValue("Fix login")).toBe("Fix login");
    expect(formatValue(3)).toBe("3");
    expect(formatValue(["a"])).toBe('["a"]');
  });
});

describe("changes", () => {
  it("lists an update's fields and a whole row for inserts and deletes", () => {
    expect(fieldDiffs({ type: "task", id: "1", op: "update", changes: { title: ["a", "b"] } })).toEqual([
      { field: "title", before: "a", after: "b" },
    ]);
    expect(fieldDiffs({ type: "task", id: "1", op: "insert", row: { title: "a" } })).toEqual([
      { field: "title", before: undefined, after: "a" },
    ]);
    expect(fieldDiffs({ type: "task", id: "1", op: "delete", row: { title: "a" } })).toEqual([
      { field: "title", before: "a", after: undefined },
    ]);
  });

  it("groups a cascade by record, in order", () => {
    const groups = groupByRecord([
      { type: "task", id: "1", op: "delete", row: {} },
      { type: "comment", id: "7", op: "delete", row: {} },
      { type: "task", id: "1", op: "update", changes: {} },
    ]);
    expect(groups.map((g) => `${g.record.type}:${g.record.id}:${g.changes.length}`)).toEqual([
      "task:1:2",
      "comment:7:1",
    ]);
  });
});
