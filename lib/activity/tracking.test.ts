import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { ActivityError } from "./errors";
import { activityEvents } from "./schema";
import { rowsOf } from "./rows";
import { allEvents } from "./testing/events";
import { folders, members, notes } from "./testing/schema";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

type Note = typeof notes.$inferSelect;

let alice: Actor & { type: "user" };
const workspaceId = 7;

beforeEach(async () => {
  const [member] = await t.db.insert(members).values({ name: "Alice Adams" }).returning();
  alice = { type: "user", id: member!.id, name: "Alice Adams", workspaceId };
});

const insertNote = (title: string, extra: Partial<typeof notes.$inferInsert> = {}) =>
  kit.withTracking(
    alice,
    "insert",
    (note: Note) => `note ${note.title}`,
    async (tx) => {
      const [note] = await tx
        .insert(notes)
        .values({ teamId: workspaceId, title, ...extra })
        .returning();
      return note!;
    },
  );

describe("withTracking: the event exists if and only if the mutation committed", () => {
  it("stores one event with the actor, the subject, the record and the full inserted row", async () => {
    const note = await insertNote("Fix login");
    const [event, ...rest] = await allEvents(t.db);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      workspaceId: String(workspaceId),
      actorType: "user",
      actorId: String(alice.id),
      actorLabel: "Alice Adams",
      action: "insert",
      subject: "note Fix login",
      recordType: "note",
      recordId: String(note.id),
      unattributed: false,
      refs: [],
    });
    expect(event!.changes).toEqual([
      {
        type: "note",
        id: String(note.id),
        op: "insert",
        row: expect.objectContaining({ id: note.id, title: "Fix login", status: "open", team_id: workspaceId }),
      },
    ]);
  });

  it("stores only the changed fields of an update, and nothing for an update that changes nothing", async () => {
    const note = await insertNote("Fix login");
    await kit.withTracking(alice, "update", "note Fix login redirect", (tx) =>
      tx
        .update(notes)
        .set({ title: "Fix login redirect", status: "done", updatedAt: sql`now() + interval '1 second'` })
        .where(eq(notes.id, note.id)),
    );
    const same = await kit.withTracking(alice, "update", "note Fix login redirect", async (tx) => {
      await tx
        .update(notes)
        .set({ title: "Fix login redirect", updatedAt: sql`now() + interval '2 seconds'` })
        .where(eq(notes.id, note.id));
      return "unchanged";
    });
    expect(same).toBe("unchanged");
    const events = await allEvents(t.db);
    expect(events.map((e) => e.action)).toEqual(["insert", "update"]);
    expect(events[1]!.changes).toEqual([
      {
        type: "note",
        id: String(note.id),
        op: "update",
        changes: { title: ["Fix login", "Fix login redirect"], status: ["open", "done"] },
      },
    ]);
  });

  it("stores the full row of a delete", async () => {
    const note = await insertNote("Doomed");
    await kit.withTracking(alice, "delete", "note Doomed", (tx) => tx.delete(notes).where(eq(notes.id, note.id)));
    const [, event] = await allEvents(t.db);
    expect(event).toMatchObject({ action: "delete", recordType: "note", recordId: String(note.id) });
    expect(event!.changes).toEqual([
      { type: "note", id: String(note.id), op: "delete", row: expect.objectContaining({ title: "Doomed" }) },
    ]);
  });

  it("rolls back and propagates when fn throws: no mutation, no event", async () => {
    const boom = new Error("boom");
    await expect(
      kit.withTracking(alice, "insert", "note x", async (tx) => {
        await tx.insert(notes).values({ teamId: workspaceId, title: "Half done" });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await t.db.select().from(notes)).toEqual([]);
    expect(await allEvents(t.db)).toEqual([]);
  });

  it("rolls back and returns a failure result unchanged", async () => {
    const failure = { ok: false as const, error: { code: "conflict", message: "nope" } };
    const result = await kit.withTracking(alice, "insert", "note x", async (tx) => {
      await tx.insert(notes).values({ teamId: workspaceId, title: "Half done" });
      return failure;
    });
    expect(result).toBe(failure);
    expect(await t.db.select().from(notes)).toEqual([]);
    expect(await allEvents(t.db)).toEqual([]);
  });

  it("rolls back the mutation when storing the event fails", async () => {
    // A real fault in the event insert, raised by the database itself.
    await t.db.execute(sql`
      CREATE OR REPLACE FUNCTION test_fail_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'event store unavailable'; END $$`);
    await t.db.execute(
      sql`CREATE TRIGGER test_fail_event BEFORE INSERT ON activity_events FOR EACH ROW EXECUTE FUNCTION test_fail_event()`,
    );
    try {
      const error = await insertNote("Never stored").catch((e: unknown) => e);
      // drizzle wraps a failed query of its own (the generic runner); the pipelined runner sends the
      // kit's statements itself and reports the driver's error.
      expect(`${error} ${(error as Error).cause}`).toMatch(/event store unavailable/);
      expect(await t.db.select().from(notes)).toEqual([]);
    } finally {
      await t.db.execute(sql`DROP TRIGGER test_fail_event ON activity_events`);
    }
    expect(await allEvents(t.db)).toEqual([]);
  });
});

describe("actions and metadata", () => {
  it("requires the verb's metadata, at compile time and at run time", async () => {
    const note = await insertNote("Fix login");
    const close = (tx: Parameters<Parameters<typeof kit.withTracking>[3]>[0]) =>
      tx.update(notes).set({ status: "closed" }).where(eq(notes.id, note.id));

    // @ts-expect-error: note.closed requires { reason }
    await expect(kit.withTracking(alice, "note.closed", "note Fix login", close)).rejects.toBeInstanceOf(ActivityError);
    await expect(
      // @ts-expect-error: the reason must be a string
      kit.withTracking(alice, "note.closed", "note Fix login", close, { metadata: { reason: 42 } }),
    ).rejects.toThrow(/reason/);
    // @ts-expect-error: a misspelled verb
    await expect(kit.withTracking(alice, "note.close", "note Fix login", close)).rejects.toThrow(/catalogue/);
    expect(await t.db.select({ status: notes.status }).from(notes)).toEqual([{ status: "open" }]);

    await kit.withTracking(alice, "note.closed", "note Fix login", close, {
      metadata: { reason: "  Duplicate of #3 " },
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => e.action)).toEqual(["insert", "note.closed"]);
    expect(events[1]!.metadata).toEqual({ reason: "Duplicate of #3" });
    expect(events[1]!.changes).toEqual([
      { type: "note", id: String(note.id), op: "update", changes: { status: ["open", "closed"] } },
    ]);
  });

  it("takes an explicit record reference and related records", async () => {
    const [folder] = await t.db.insert(folders).values({ id: 12, teamId: workspaceId, name: "Launch" }).returning();
    const note = await insertNote("Announce");
    await kit.withTracking(
      alice,
      "update",
      "announced the launch",
      (tx) => tx.update(notes).set({ status: "done" }).where(eq(notes.id, note.id)),
      {
        record: { type: "folder", id: String(folder!.id) },
        related: [
          { type: "note", id: String(note.id) },
          { type: "user", id: "9" },
        ],
        metadata: { comment: "by mail" },
      },
    );
    const [event] = await t.db.select().from(activityEvents).where(eq(activityEvents.subject, "announced the launch"));
    expect(event).toMatchObject({
      recordType: "folder",
      recordId: String(folder!.id),
      related: [
        { type: "note", id: String(note.id) },
        { type: "user", id: "9" },
      ],
      refs: [`note:${note.id}`, "user:9"],
      metadata: { comment: "by mail" },
    });
  });

  it("with track: false, stores neither an event nor a captured change", async () => {
    const result = await kit.withTracking(
      alice,
      "insert",
      "untracked",
      async (tx) => {
        await tx.insert(notes).values({ teamId: workspaceId, title: "Quiet" });
        return "done";
      },
      { track: false },
    );
    expect(result).toBe("done");
    expect(await t.db.select({ title: notes.title }).from(notes)).toEqual([{ title: "Quiet" }]);
    expect(await allEvents(t.db)).toEqual([]);
    const failure = await kit.withTracking(
      alice,
      "insert",
      "untracked",
      async (tx) => {
        await tx.insert(notes).values({ teamId: workspaceId, title: "Rolled back" });
        return { ok: false as const };
      },
      { track: false },
    );
    expect(failure).toEqual({ ok: false });
    expect(await t.db.select({ title: notes.title }).from(notes)).toEqual([{ title: "Quiet" }]);
  });

  it("with track: false, a changed row queues no call of the capture trigger at all", async () => {
    // The function calls counted in the current transaction (track_functions: a superuser's setting).
    const insertCountingCaptures = async (tx: { execute: typeof t.db.execute }, titles: string[]) => {
      const calls = async () => {
        const [row] = rowsOf<{ calls: string | number | null }>(
          await tx.execute(sql`SELECT pg_stat_get_xact_function_calls('activity_capture'::regproc) AS calls`),
        );
        return Number(row?.calls ?? 0);
      };
      await tx.execute(sql`SET LOCAL track_functions = 'pl'`);
      const before = await calls();
      for (const title of titles)
        await tx.execute(sql`INSERT INTO notes (team_id, title) VALUES (${workspaceId}, ${title})`);
      return (await calls()) - before;
    };
    const untracked = await kit.withTracking(
      alice,
      "insert",
      "untracked",
      (tx) => insertCountingCaptures(tx, ["A", "B"]),
      {
        track: false,
      },
    );
    const tracked = await kit.withTracking(alice, "insert", "tracked", (tx) => insertCountingCaptures(tx, ["C", "D"]));
    expect({ untracked, tracked }).toEqual({ untracked: 0, tracked: 2 });
    expect(await t.db.select({ title: notes.title }).from(notes).orderBy(notes.title)).toHaveLength(4);
  });
});
