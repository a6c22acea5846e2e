import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { createActivityKit } from "./index";
import { trackTable } from "./registry";
import { applyRetention } from "./retention";
import { activityEvents } from "./schema";
import { sequenceOnce } from "./sequencer";
import { members, notes } from "./testing/schema";
import { fixtureCatalogue, fixtureTables } from "./testing/tables";
import { verifyChain } from "./verify";

// The chain (sequencer, verify) and the owner's routines (retention, erasure, deleting an actor) together:
// what the routines do leaves a chain that still verifies, and a hand-made change beside them does not.
const t = setupTestDb({ database: "kit" });
const tables = [
  trackTable(notes, { type: "note", workspace: notes.teamId, label: notes.title, personal: [notes.title] }),
  ...fixtureTables.filter((table) => table.type !== "note"),
];
const kit = createActivityKit({
  db: () => t.db,
  catalogue: fixtureCatalogue,
  tables,
  actors: { table: members, id: members.id },
  secret: "fixture-secret-of-some-length",
});
const WORKSPACE = "7";
const DAY = 24 * 3600_000;
let alice: Actor & { type: "user" };

beforeEach(async () => {
  const [a] = await t.db.insert(members).values({ name: "Alice Adams" }).returning();
  alice = { type: "user", id: a!.id, name: "Alice Adams", workspaceId: 7 };
});

const sequenceAll = async () => {
  while (Object.keys(await sequenceOnce(t.db)).length > 0) {}
};

async function history() {
  // Old system events for retention, then tracked notes by Alice (a personal title each).
  for (const days of [900, 800, 10]) {
    await t.db.execute(sql`
      insert into activity_events (workspace_id, occurred_at, actor_type, actor_label, action, subject)
      values (${WORKSPACE}, ${new Date(Date.now() - days * DAY).toISOString()}::timestamptz, 'system', 'System',
              'task.created', ${`old ${days}d`})`);
  }
  const created = [];
  for (const title of ["Call the dentist", "Pay Bob back"]) {
    created.push(
      await kit.withTracking(alice, "insert", `note ${title}`, async (tx) => {
        const [row] = await tx.insert(notes).values({ teamId: 7, title }).returning();
        return row!;
      }),
    );
  }
  await sequenceAll();
  return created;
}

describe("the chain through retention and erasure", () => {
  it("verifies after retention removed old events, after erasing an actor and a record, and after the actor is deleted", async () => {
    const [first] = await history();
    expect((await verifyChain(t.db, WORKSPACE)).ok).toBe(true);

    const outcomes = await applyRetention(t.db, { "task.*": "2 years" });
    expect(outcomes.map((o) => o.removed)).toEqual([2]);
    expect((await verifyChain(t.db, WORKSPACE)).problem).toBeNull();

    await kit.eraseRecord("note", String(first!.id));
    await kit.eraseActor(String(alice.id));
    await t.db.execute(sql`delete from members where id = ${alice.id}`);
    await sequenceAll();
    const events = await t.db.select().from(activityEvents).where(eq(activityEvents.workspaceId, WORKSPACE));
    expect(events.some((e) => e.erased !== null)).toBe(true);
    expect(JSON.stringify(events)).not.toContain("Call the dentist");
    // Read back, the erased values say so.
    const items = await kit.toItems(
      events.filter((e) => e.recordId === String(first!.id)).map((e) => ({ ...e, seq: null })),
      { audit: true },
    );
    expect(items[0]!.readable[0]!.fields).toContainEqual(expect.objectContaining({ field: "title", after: "erased" }));
    const result = await verifyChain(t.db, WORKSPACE);
    expect(result.problem).toBeNull();
    expect(result.ok).toBe(true);
  });

  it("still names an edit made beside the routines", async () => {
    await history();
    await applyRetention(t.db, { "task.*": "2 years" });
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`ALTER TABLE activity_events DISABLE TRIGGER USER`);
      await tx.execute(sql`UPDATE activity_events SET subject = 'forged' WHERE subject = 'old 10d'`);
      await tx.execute(sql`ALTER TABLE activity_events ENABLE TRIGGER USER`);
    });
    const result = await verifyChain(t.db, WORKSPACE);
    expect(result.ok).toBe(false);
    expect(result.problem?.kind).toBe("edited");
  });
});
