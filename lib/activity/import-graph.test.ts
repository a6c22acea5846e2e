import path from "node:path";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph } from "./testing/import-graph";

const root = path.resolve(import.meta.dirname, "../..");
const relative = (files: string[]) => files.map((f) => path.relative(root, f));
const unknownCycles = (dirs: string[]) => importCycles(importGraph(root, dirs)).map(relative);

describe("import graph", () => {
  it("finds a circle when there is one", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a", "d"]],
    ]);
    expect(importCycles(graph)).toEqual([["a", "b", "c"], ["d"]]);
    expect(
      importCycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("the kit's files import one another in one direction", () => {
    expect(unknownCycles(["lib/activity"])).toEqual([]);
  });

  it("the app's files too: no circle through the seam, the database layer and the demo", () => {
    expect(unknownCycles(["lib", "components", "app"])).toEqual([]);
  });

  it("components import nothing from app/ (server actions come in as props)", () => {
    const graph = importGraph(root, ["components"]);
    const upward = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => t.startsWith(path.join(root, "app"))).map((t) => `${relative([file])} → ${relative([t])}`),
    );
    expect(upward).toEqual([]);
  });
});
