import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setupTestDb, truncateAll } from "@/test/db";
import type { Actor } from "./actor";
import { allEvents } from "./testing/events";
import { members, notes } from "./testing/schema";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);
const workspaceId = 7;

type Outcome = "commit" | "throw" | "fail";
interface Node {
  outcome: Outcome;
  children: Node[];
}

const outcome = fc.constantFrom<Outcome>("commit", "commit", "throw", "fail");
const { tree } = fc.letrec<{ tree: Node; children: Node[] }>((tie) => ({
  tree: fc.record({ outcome, children: tie("children") }),
  children: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    fc.constant<Node[]>([]),
    fc.array(tie("tree"), { maxLength: 3 }),
  ),
}));

class Boom extends Error {}

describe("property: nested tracked actions store exactly the events of the actions that committed", () => {
  it("holds for random trees of nested actions, failures and thrown errors", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(tree, { minLength: 1, maxLength: 3 }), async (roots) => {
        await truncateAll(t.db);
        const [member] = await t.db.insert(members).values({ name: "Alice" }).returning();
        const actor: Actor = { type: "user", id: member!.id, name: "Alice", workspaceId };
        let counter = 0;

        /**
         * Runs one action: it inserts a task named after itself, runs its children in turn, then ends as
         * told. Returns the model of what stays: each committed action's title with its parent's.
         */
        const run = async (node: Node, parent: string | null): Promise<Map<string, string | null>> => {
          const title = `a${counter++}`;
          const subtree = new Map<string, string | null>();
          const result = kit.withTracking(actor, "insert", title, async (tx) => {
            await tx.insert(notes).values({ teamId: workspaceId, title });
            for (const child of node.children) {
              for (const [k, v] of await run(child, title)) subtree.set(k, v);
            }
            if (node.outcome === "throw") throw new Boom();
            if (node.outcome === "fail") return { ok: false as const };
            return { ok: true as const };
          });
          if (node.outcome === "throw") {
            await expect(result).rejects.toBeInstanceOf(Boom);
            return new Map();
          }
          if (!(await result).ok) return new Map();
          return subtree.set(title, parent);
        };
        const committed = new Map<string, string | null>();
        for (const root of roots) for (const [k, v] of await run(root, null)) committed.set(k, v);

        const titles = (await t.db.select({ title: notes.title }).from(notes)).map((r) => r.title).sort();
        expect(titles).toEqual([...committed.keys()].sort());
        const events = await allEvents(t.db);
        expect(events.filter((e) => e.unattributed)).toEqual([]);
        const idOf = new Map(events.map((e) => [e.subject, String(e.id)]));
        expect(
          events
            .map((e) => ({
              subject: e.subject,
              own: e.changes.map((c) => (c.op === "insert" ? String(c.row.title) : c.op)),
              parent: (e.metadata as { parentEventId?: string }).parentEventId ?? null,
            }))
            .sort((a, b) => a.subject.localeCompare(b.subject)),
        ).toEqual(
          [...committed]
            .map(([title, parent]) => ({ subject: title, own: [title], parent: parent && idOf.get(parent)! }))
            .sort((a, b) => a.subject.localeCompare(b.subject)),
        );
      }),
      { numRuns: 15 },
    );
  });
});
