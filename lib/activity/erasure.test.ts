import { asc, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { eventDigest, scalarDigest } from "./canonical";
import { runWithActivityContext } from "./context";
import { ActivityError } from "./errors";
import { createActivityKit } from "./index";
import { trackTable } from "./registry";
import { rowsOf } from "./rows";
import { activityRemovals, activitySequence } from "./schema";
import { sequenceOnce } from "./sequencer";
import { allEvents } from "./testing/events";
import { members, notes } from "./testing/schema";
import { fixtureCatalogue, fixtureTables } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
// The fixture registrations, with a note's title and body marked personal (the capture triggers are the same).
const tables = [
  trackTable(notes, {
    type: "note",
    workspace: notes.teamId,
    label: notes.title,
    ignore: [notes.updatedAt],
    personal: [notes.title, notes.body],
  }),
  ...fixtureTables.filter((table) => table.type !== "note"),
];
const kit = createActivityKit({
  db: () => t.db,
  catalogue: fixtureCatalogue,
  tables,
  secret: "fixture-secret-of-some-length",
});

const workspaceId = 7;
let alice: Actor & { type: "user" };
let bob: Actor & { type: "user" };

beforeEach(async () => {
  const [a, b] = await t.db
    .insert(members)
    .values([{ name: "Alice Adams" }, { name: "Bob Brown" }])
    .returning();
  alice = { type: "user", id: a!.id, name: "Alice Adams", workspaceId };
  bob = { type: "user", id: b!.id, name: "Bob Brown", workspaceId };
});

const byId = async () => new Map((await allEvents(t.db)).map((e) => [e.id, e]));
const removals = () => t.db.select().from(activityRemovals).orderBy(asc(activityRemovals.id));

async function noteBy(actor: Actor, title: string) {
  return runWithActivityContext({ actor, requestId: `req-${title}`, ip: "203.0.113.9", userAgent: "agent/1" }, () =>
    kit.withTracking(null, "insert", `note ${title}`, async (tx) => {
      const [row] = await tx.insert(notes).values({ teamId: workspaceId, title }).returning();
      return row!;
    }),
  );
}

describe("eraseActor", () => {
  it("erases the actor's name, id, IP and user agent from their events, keeps everything else and every digest", async () => {
    await noteBy(alice, "a1");
    await noteBy(bob, "b1");
    await noteBy(alice, "a2");
    await sequenceOnce(t.db);
    const before = await byId();

    expect(await kit.eraseActor(alice.id)).toEqual({ events: 2 });
    const after = await byId();
    for (const [id, original] of before) {
      const erased = after.get(id)!;
      // The chain's proof of each event survives: its digest is the one sealed.
      expect(eventDigest(erased)).toBe(eventDigest(original));
      if (original.actorLabel === "Bob Brown") {
        expect(erased).toEqual(original);
        continue;
      }
      expect(erased).toMatchObject({
        actorLabel: "erased",
        actorId: null,
        ip: null,
        userAgent: null,
        subject: original.subject,
        changes: original.changes,
        requestId: original.requestId,
      });
      expect(erased.erased).toEqual({
        "/actor_label": scalarDigest("Alice Adams"),
        "/actor_id": scalarDigest(String(alice.id)),
        "/ip": scalarDigest("203.0.113.9"),
        "/user_agent": scalarDigest("agent/1"),
      });
    }
    // The sequence's copy of the actor goes too; each erased event is recorded.
    const sequenced = await t.db.select({ actorId: activitySequence.actorId }).from(activitySequence);
    expect(sequenced.map((s) => s.actorId).sort()).toEqual([String(bob.id), null, null]);
    expect((await removals()).map((r) => [r.reason, r.policy, r.seq !== null])).toEqual([
      ["erasure", "actor", true],
      ["erasure", "actor", true],
    ]);
    // A feed filtered by the erased actor finds nothing of theirs.
    const page = await kit.feed(workspaceId, new URLSearchParams({ actor: String(alice.id) }));
    expect(page.items).toEqual([]);

    // Erasing again changes nothing and records nothing.
    expect(await kit.eraseActor(alice.id)).toEqual({ events: 0 });
    expect(await byId()).toEqual(after);
    expect(await removals()).toHaveLength(2);
  });

  it("finds a deleted user's events, whose id the deletion replaced by its digest, and erases their name", async () => {
    await noteBy(alice, "a1");
    const [original] = await allEvents(t.db);
    await t.db.delete(members).where(eq(members.id, Number(alice.id)));
    const [forgotten] = await allEvents(t.db);
    expect(forgotten).toMatchObject({ actorId: null, actorLabel: "Alice Adams" });
    expect(forgotten!.erased).toEqual({ "/actor_id": scalarDigest(String(alice.id)) });
    expect(eventDigest(forgotten!)).toBe(eventDigest(original!));
    expect((await removals()).map((r) => r.reason)).toEqual(["actor deleted"]);

    expect(await kit.eraseActor(alice.id)).toEqual({ events: 1 });
    const [erased] = await allEvents(t.db);
    expect(erased).toMatchObject({ actorLabel: "erased", ip: null, userAgent: null });
    expect(eventDigest(erased!)).toBe(eventDigest(original!));
  });
});

describe("eraseRecord", () => {
  it("erases the registration's personal fields from every change of the record, keeping structure and other diffs", async () => {
    const note = await noteBy(alice, "Alice's diary");
    const other = await noteBy(alice, "shopping list");
    await kit.withTracking(alice, "update", "note edited", (tx) =>
      tx.update(notes).set({ title: "Dear diary", status: "done", body: "secret" }).where(eq(notes.id, note.id)),
    );
    // A change made outside withTracking: an unattributed event of its own.
    await t.db.execute(sql`UPDATE notes SET status = 'open' WHERE id = ${note.id}`);
    await t.db.execute(sql`DELETE FROM notes WHERE id = ${note.id}`);
    const before = await byId();

    expect(await kit.eraseRecord("note", note.id)).toEqual({ events: 4 });
    const after = await byId();
    for (const [id, original] of before) expect(eventDigest(after.get(id)!)).toBe(eventDigest(original));
    const [created, untouched, edited, reopened, deleted] = [...after.values()];
    expect(untouched).toEqual(before.get(untouched!.id));
    expect(created).toMatchObject({ subject: "erased", actorLabel: "Alice Adams" });
    expect(created!.changes[0]).toMatchObject({ op: "insert", row: { title: null, body: "", status: "open" } });
    expect(created!.erased).toEqual({
      "/subject": scalarDigest("note Alice's diary"),
      "/changes/0/row/title": scalarDigest("Alice's diary"),
    });
    expect(edited!.changes[0]).toMatchObject({
      op: "update",
      changes: { title: [null, null], body: ["", null], status: ["open", "done"] },
    });
    expect(Object.keys(edited!.erased!).sort()).toEqual([
      "/changes/0/changes/body/1",
      "/changes/0/changes/title/0",
      "/changes/0/changes/title/1",
      "/subject",
    ]);
    // Its subject named the note by its title; the status change stays as it was.
    expect(reopened).toMatchObject({ subject: "erased", changes: before.get(reopened!.id)!.changes });
    expect(Object.keys(reopened!.erased!)).toEqual(["/subject"]);
    expect(deleted!.changes[0]).toMatchObject({ op: "delete", row: { title: null, body: null, status: "open" } });
    expect(other.id).not.toBe(note.id);
    expect((await removals()).map((r) => [r.reason, r.policy])).toEqual(Array(4).fill(["erasure", "record"]));
    expect(await kit.eraseRecord("note", note.id)).toEqual({ events: 0 });
  });

  it("refuses a record type that is not tracked, and erases nothing of a type with no personal fields", async () => {
    await expect(kit.eraseRecord("nope", 1)).rejects.toThrow(ActivityError);
    await expect(kit.eraseRecord("nope", 1)).rejects.toMatchObject({ code: "invalid_record" });
    expect(await kit.eraseRecord("tag", "x")).toEqual({ events: 0 });
  });

  it("the routine finds each event by its whole key, and still by its id alone (an older kit's payload)", async () => {
    await noteBy(alice, "a1");
    await noteBy(alice, "a2");
    await sequenceOnce(t.db);
    const [first, second] = await allEvents(t.db);
    const erase = async (events: object[]) => {
      const [row] = rowsOf<{ changed: number | string }>(
        await t.db.execute(sql`select activity_erase(${JSON.stringify({ reason: "x", events })}::jsonb) as changed`),
      );
      return Number(row!.changed);
    };
    const key = { id: first!.id, workspace: first!.workspaceId, occurredAt: first!.occurredAt.toISOString() };
    // Another workspace's key, or another time, is not this event.
    expect(await erase([{ ...key, workspace: "8", columns: ["ip"], values: {} }])).toBe(0);
    expect(await erase([{ ...key, occurredAt: "2001-01-01T00:00:00Z", columns: ["ip"], values: {} }])).toBe(0);
    expect((await byId()).get(first!.id)!.ip).toBe("203.0.113.9");
    expect(await erase([{ ...key, columns: ["ip"], values: {} }])).toBe(1);
    expect(await erase([{ id: second!.id, columns: ["ip"], values: {} }])).toBe(1);
    const after = await byId();
    expect([after.get(first!.id)!.ip, after.get(second!.id)!.ip]).toEqual([null, null]);
    const seqs = await t.db.select().from(activitySequence).orderBy(asc(activitySequence.seq));
    expect((await removals()).map((r) => [r.eventId, r.seq])).toEqual(seqs.map((s) => [s.eventId, s.seq]));
  });

  it("the routine refuses a pointer outside the changes and a column it does not erase, and writes nothing", async () => {
    await noteBy(alice, "a1");
    const [event] = await allEvents(t.db);
    for (const events of [
      [{ id: event!.id, columns: [], values: { "/action": "0".repeat(64) } }],
      [{ id: event!.id, columns: ["action"], values: {} }],
      [{ id: event!.id, columns: [], values: { "/changes/0/row/title": "not a digest" } }],
      [{ id: event!.id, columns: [], values: { "/changes/3/row/title": "0".repeat(64) } }],
    ]) {
      const error = await t.db
        .execute(sql`select activity_erase(${JSON.stringify({ reason: "x", events })}::jsonb)`)
        .catch((e: unknown) => e);
      expect(String((error as Error).cause ?? error)).toMatch(/activity_erase: /);
    }
    expect(await allEvents(t.db)).toEqual([event]);
  });
});
