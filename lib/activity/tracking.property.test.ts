import { eq } from "drizzle-orm";
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
type Step =
  | { kind: "insert"; title: string; outcome: Outcome }
  | { kind: "update"; pick: number; title: string; outcome: Outcome }
  | { kind: "delete"; pick: number; outcome: Outcome };

const outcome = fc.constantFrom<Outcome>("commit", "commit", "throw", "fail");
const title = fc.string({ minLength: 1, maxLength: 12 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), title, outcome }),
  fc.record({ kind: fc.constant("update" as const), pick: fc.nat(), title, outcome }),
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat(), outcome }),
);

type Note = typeof notes.$inferSelect;

class Boom extends Error {}

describe("property: the events are exactly the committed mutations", () => {
  it("holds for random sequences of mutations, failures and thrown errors", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 15 }), async (steps) => {
        await truncateAll(t.db);
        const [member] = await t.db.insert(members).values({ name: "Alice" }).returning();
        const actor: Actor = { type: "user", id: member!.id, name: "Alice", workspaceId };
        // The model: what should exist, and which events should have been stored.
        const model = new Map<number, string>();
        const expected: string[] = [];

        for (const s of steps) {
          const ids = [...model.keys()];
          if (s.kind !== "insert" && ids.length === 0) continue;
          const id = s.kind === "insert" ? undefined : ids[s.pick % ids.length]!;
          const titleBefore = id === undefined ? undefined : model.get(id);
          const run = kit.withTracking(actor, s.kind, `step ${expected.length}`, async (tx) => {
            let row: Note | undefined;
            if (s.kind === "insert")
              [row] = await tx.insert(notes).values({ teamId: workspaceId, title: s.title }).returning();
            if (s.kind === "update")
              [row] = await tx.update(notes).set({ title: s.title }).where(eq(notes.id, id!)).returning();
            if (s.kind === "delete") [row] = await tx.delete(notes).where(eq(notes.id, id!)).returning();
            if (s.outcome === "throw") throw new Boom();
            if (s.outcome === "fail") return { ok: false as const };
            return row!;
          });
          if (s.outcome === "throw") {
            await expect(run).rejects.toBeInstanceOf(Boom);
            continue;
          }
          const result = await run;
          if (s.outcome === "fail") {
            expect(result).toEqual({ ok: false });
            continue;
          }
          const row = result as Note;
          if (s.kind === "delete") model.delete(row.id);
          else model.set(row.id, row.title);
          // An update to the same title changes nothing, and stores nothing.
          if (s.kind !== "update" || titleBefore !== s.title)
            expected.push(`${s.kind} note:${row.id} ${s.kind === "delete" ? "" : row.title}`);
        }

        const rows = await t.db.select({ id: notes.id, title: notes.title }).from(notes);
        expect(new Map(rows.map((r) => [r.id, r.title]))).toEqual(model);
        const events = await allEvents(t.db);
        expect(events.filter((e) => e.unattributed)).toEqual([]);
        expect(
          events.map((e) => {
            const change = e.changes[0];
            const after =
              change?.op === "insert"
                ? String(change.row.title)
                : change?.op === "update"
                  ? String(change.changes.title?.[1])
                  : "";
            return `${e.action} ${e.recordType}:${e.recordId} ${after}`;
          }),
        ).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });
});
