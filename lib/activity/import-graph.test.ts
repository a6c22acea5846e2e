import path from "node:path";
import { describe, expect, it } from "vitest";
import { forbiddenImports, importCycles, importGraph } from "./testing/import-graph";

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

  describe("the kit's own tests", () => {
    // The demo: its database layer, domain, seam, auth, pages and components.
    const demo = [
      /^lib\/db(\/|\.ts$)/,
      /^lib\/demo\//,
      /^lib\/activity-kit(\.|\/)/,
      /^lib\/auth(\/|\.ts$)/,
      /^app\//,
      /^components\//,
    ];
    const isDemo = (file: string) => demo.some((pattern) => pattern.test(path.relative(root, file)));
    // The test database harness is shared with the app's tests and opens both databases; the walk stops there.
    const harness = path.join(root, "test/db.ts");
    const demoImports = (graph: Map<string, string[]>, from: string) =>
      forbiddenImports(graph, from, isDemo, (file) => file !== harness).map((chain) => relative(chain).join(" → "));

    it("finds a demo import, also one made through a helper", () => {
      const at = (file: string) => path.join(root, file);
      const graph = new Map([
        [at("lib/activity/a.test.ts"), [at("lib/activity/testing/helper.ts"), harness]],
        [at("lib/activity/testing/helper.ts"), [at("test/fixtures.ts")]],
        [at("test/fixtures.ts"), [at("lib/db/schema.ts")]],
        [harness, [at("lib/db/client.ts")]],
      ]);
      expect(demoImports(graph, at("lib/activity/a.test.ts"))).toEqual([
        "lib/activity/a.test.ts → lib/activity/testing/helper.ts → test/fixtures.ts → lib/db/schema.ts",
      ]);
    });

    it("import nothing of the demo (lib/db, lib/demo, the seam, lib/auth, app/, components/), directly or not", () => {
      const graph = importGraph(root, ["lib", "test", "app", "components"], { tests: true });
      const kitTests = [...graph.keys()].filter(
        (file) => file.startsWith(path.join(root, "lib/activity/")) && /\.test\.tsx?$/.test(file),
      );
      expect(relative(kitTests)).toEqual(
        expect.arrayContaining([
          "lib/activity/feed.test.ts",
          "lib/activity/next/routes.test.ts",
          "lib/activity/testing/key-types.test.ts",
        ]),
      );
      expect(kitTests.flatMap((file) => demoImports(graph, file))).toEqual([]);
    });
  });
});
