import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { runWithActivityContext } from "./context";
import { checkCoverage } from "./coverage";
import { trackTable } from "./registry";
import { activityEvents } from "./schema";
import { sequenceOnce } from "./sequencer";
import { tableTriggerStatements } from "./sql";
import { allEvents, unattributedEvents } from "./testing/events";
import { files, folders, members, notes, tokens } from "./testing/schema";
import { fixtureKit, fixtureTables } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

const workspaceId = 7;
let alice: Actor & { type: "user" };

beforeEach(async () => {
  const [member] = await t.db.insert(members).values({ name: "Alice Adams" }).returning();
  alice = { type: "user", id: member!.id, name: "Alice Adams", workspaceId };
});

describe("changes made outside withTracking", () => {
  it("are captured row by row as unattributed events, for bulk statements too", async () => {
    await t.db.execute(
      sql`INSERT INTO notes (team_id, title) VALUES (${workspaceId}, 'a'), (${workspaceId}, 'b'), (${workspaceId}, 'c')`,
    );
    await t.db.execute(sql`UPDATE notes SET status = 'done' WHERE title IN ('a', 'b')`);
    await t.db.execute(sql`UPDATE notes SET status = status`); // changes nothing: stores nothing
    await t.db.execute(sql`DELETE FROM notes WHERE title = 'c'`);
    const events = await unattributedEvents(t.db);
    expect(events.map((e) => [e.action, e.subject])).toEqual([
      ["insert", "note a"],
      ["insert", "note b"],
      ["insert", "note c"],
      ["update", "note a"],
      ["update", "note b"],
      ["delete", "note c"],
    ]);
    expect(events.every((e) => e.workspaceId === String(workspaceId) && e.actorType === "database")).toBe(true);
    expect(events[3]!.changes).toEqual([
      { type: "note", id: "1", op: "update", changes: { status: ["open", "done"] } },
    ]);
    expect(await allEvents(t.db)).toHaveLength(6);
  });

  it("raw SQL inside withTracking joins the event of its transaction", async () => {
    await kit.withTracking(alice, "update", "renamed by hand", async (tx) => {
      await tx.insert(notes).values({ teamId: workspaceId, title: "typed" });
      await tx.execute(sql`UPDATE notes SET title = 'raw' WHERE title = 'typed'`);
    });
    const events = await allEvents(t.db);
    expect(events).toHaveLength(1);
    expect(events[0]!.changes.map((c) => c.op)).toEqual(["insert", "update"]);
  });

  it("a bulk statement inside withTracking puts every row's change in the one event", async () => {
    await t.db.execute(
      sql`INSERT INTO notes (team_id, title) SELECT ${workspaceId}, 'bulk ' || g FROM generate_series(1, 1500) AS g`,
    );
    await kit.withTracking(alice, "update", "closed them all", (tx) =>
      tx.execute(sql`UPDATE notes SET status = 'done'`),
    );
    const [event] = await t.db.select().from(activityEvents).where(eq(activityEvents.unattributed, false));
    expect(event!.changes).toHaveLength(1500);
    expect(new Set(event!.changes.map((c) => c.id)).size).toBe(1500);
    expect(event!.changes.every((c) => c.op === "update" && c.changes.status?.[1] === "done")).toBe(true);
  });

  it("deleting a parent records the cascaded deletions of its children", async () => {
    await t.db.insert(folders).values({ id: 3, teamId: workspaceId, name: "Doomed" });
    const inside = await t.db
      .insert(files)
      .values([
        { folderId: 3, teamId: workspaceId, name: "a" },
        { folderId: 3, teamId: workspaceId, name: "b" },
      ])
      .returning();
    await kit.withTracking(alice, "delete", "folder Doomed", (tx) => tx.delete(folders).where(eq(folders.id, 3)));

    const [event] = await t.db.select().from(activityEvents).where(eq(activityEvents.unattributed, false));
    expect(event).toMatchObject({ recordType: "folder", recordId: "3" });
    expect(event!.changes.map((c) => `${c.op} ${c.type}:${c.id}`).sort()).toEqual(
      ["delete folder:3", ...inside.map((f) => `delete file:${f.id}`)].sort(),
    );
    expect(event!.refs).toEqual(inside.map((f) => `file:${f.id}`).sort());
    // The child's history shows how it ended.
    const history = await kit.history({ type: "file", id: String(inside[0]!.id) }, { workspaceId });
    expect(history.map((e) => [e.action, e.unattributed])).toEqual([
      ["insert", true],
      ["delete", false],
    ]);
  });

  it("redacts the columns a registration names, at capture", async () => {
    await t.db.execute(sql`INSERT INTO tokens (team_id, name, secret) VALUES (${workspaceId}, 'ci', 'tok_live_123')`);
    await t.db.execute(sql`UPDATE tokens SET secret = 'tok_live_456', name = 'ci bot'`);
    const events = await unattributedEvents(t.db);
    expect(JSON.stringify(events)).not.toMatch(/tok_live/);
    expect(events[0]!.changes).toEqual([
      {
        type: "token",
        id: "1",
        op: "insert",
        row: { id: 1, team_id: workspaceId, name: "ci", secret: "[redacted]" },
      },
    ]);
    expect(events[1]!.changes).toEqual([
      {
        type: "token",
        id: "1",
        op: "update",
        changes: { name: ["ci", "ci bot"], secret: ["[redacted]", "[redacted]"] },
      },
    ]);
    expect(await t.db.select({ secret: tokens.secret }).from(tokens)).toEqual([{ secret: "tok_live_456" }]);
  });
});

describe("the events table is append-only", () => {
  // A role that is not the tables' owner, as the app's role is on a server; SET LOCAL ROLE works on PGlite too.
  async function asRole<T>(
    grants: string[],
    fn: (tx: Parameters<Parameters<typeof t.db.transaction>[0]>[0]) => Promise<T>,
  ) {
    return t.db.transaction(async (tx) => {
      await tx.execute(
        sql`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'activity_test_app') THEN CREATE ROLE activity_test_app NOLOGIN; END IF; END $$`,
      );
      for (const statement of grants) await tx.execute(sql.raw(statement));
      await tx.execute(sql`SET LOCAL ROLE activity_test_app`);
      return fn(tx);
    });
  }
  const attempt = (statement: ReturnType<typeof sql>, grants: string[]) =>
    asRole(grants, (tx) => tx.execute(statement)).then(
      () => "done",
      (e: unknown) => String((e as Error).cause ?? e),
    );

  it("refuses UPDATE, DELETE and TRUNCATE to a role that is not the owner, even one granted them, and no setting changes that", async () => {
    await t.db.insert(notes).values({ teamId: workspaceId, title: "x" });
    await sequenceOnce(t.db);
    await t.db.execute(sql`select activity_reset('no such workspace')`);
    for (const statement of [
      sql`UPDATE activity_events SET subject = 'forged'`,
      sql`DELETE FROM activity_events`,
      sql`TRUNCATE activity_events`,
      sql`DELETE FROM activity_sequence`,
      sql`TRUNCATE activity_sequence`,
      sql`UPDATE activity_removals SET reason = 'forged'`,
      sql`DELETE FROM activity_removals`,
    ]) {
      // Granted everything by mistake: the guard still refuses, whatever the transaction sets.
      expect(
        await attempt(statement, [
          "GRANT ALL ON activity_events, activity_sequence, activity_removals TO activity_test_app",
          "SELECT set_config('activity.maintenance', 'on', true)",
        ]),
      ).toMatch(/append-only: (UPDATE|DELETE|TRUNCATE) is not allowed/);
    }
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["note x"]);
  });

  it("lets the tables' owner through: where the app is the owner (PGlite), the hash chain is the guard", async () => {
    await t.db.insert(notes).values({ teamId: workspaceId, title: "x" });
    await t.db.execute(sql`UPDATE activity_events SET subject = 'edited by the owner'`);
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["edited by the owner"]);
  });
});

describe("actors", () => {
  it("keep their name as it was; a deleted user's events stay readable with the link removed", async () => {
    const [member] = await t.db.insert(members).values({ name: "Bob Brown" }).returning();
    const bob: Actor = { type: "user", id: member!.id, name: "Bob Brown", workspaceId };
    await kit.withTracking(bob, "insert", "note by Bob", (tx) =>
      tx.insert(notes).values({ teamId: workspaceId, title: "by Bob" }),
    );
    await t.db.execute(sql`UPDATE members SET name = 'Robert Brown' WHERE id = ${member!.id}`);
    await t.db.execute(sql`DELETE FROM members WHERE id = ${member!.id}`);
    const [event] = await allEvents(t.db);
    expect(event).toMatchObject({ actorType: "user", actorId: null, actorLabel: "Bob Brown", subject: "note by Bob" });
  });

  it("can be the system, a named job or an API key", async () => {
    const actors: Actor[] = [
      { type: "system", workspaceId },
      { type: "job", name: "nightly-cleanup", workspaceId },
      { type: "api_key", id: "key_1", name: "Zapier", workspaceId },
    ];
    for (const actor of actors) {
      await kit.withTracking(actor, "insert", "note", (tx) =>
        tx.insert(notes).values({ teamId: workspaceId, title: actor.type }),
      );
    }
    expect((await allEvents(t.db)).map((e) => [e.actorType, e.actorId, e.actorLabel])).toEqual([
      ["system", null, "System"],
      ["job", null, "nightly-cleanup"],
      ["api_key", "key_1", "Zapier"],
    ]);
  });

  it("come from the request context unless given explicitly, and the database sees them too", async () => {
    const fromContext = await runWithActivityContext(
      { actor: alice, requestId: "req-1", ip: "203.0.113.9", userAgent: "test-agent" },
      async () => {
        const seen = await kit.withTracking(null, "insert", "note in context", async (tx) => {
          await tx.insert(notes).values({ teamId: workspaceId, title: "ctx" });
          const result = await tx.execute<{ label: string; request: string }>(
            sql`select current_setting('activity.actor_label') as label, current_setting('activity.request_id') as request`,
          );
          return (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows)[0];
        });
        await kit.withTracking({ type: "job", name: "explicit", workspaceId }, "insert", "note explicit", (tx) =>
          tx.insert(notes).values({ teamId: workspaceId, title: "explicit" }),
        );
        return seen;
      },
    );
    expect(fromContext).toEqual({ label: "Alice Adams", request: "req-1" });
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.actorLabel, e.requestId, e.ip, e.userAgent])).toEqual([
      ["Alice Adams", "req-1", "203.0.113.9", "test-agent"],
      ["explicit", "req-1", "203.0.113.9", "test-agent"],
    ]);
    await expect(kit.withTracking(null, "insert", "nobody", async () => 1)).rejects.toThrow(/needs an actor/);
  });

  it("keep a client-sent request id apart, in the event's metadata, beside the action's own", async () => {
    await runWithActivityContext({ actor: alice, requestId: "server-made", clientRequestId: "client-sent" }, () =>
      kit.withTracking(null, "insert", "note with client id", (tx) =>
        tx.insert(notes).values({ teamId: workspaceId, title: "client id" }),
      ),
    );
    await runWithActivityContext({ actor: alice, requestId: "server-made-2" }, () =>
      kit.withTracking(null, "insert", "note without", (tx) =>
        tx.insert(notes).values({ teamId: workspaceId, title: "no client id" }),
      ),
    );
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.requestId, e.metadata])).toEqual([
      ["server-made", { clientRequestId: "client-sent" }],
      ["server-made-2", {}],
    ]);
  });

  it("20 concurrent writers each get their own actor on their own event", async () => {
    const writers = Array.from(
      { length: 20 },
      (_, i): Actor => ({ type: "user", id: 1000 + i, name: `Writer ${i}`, workspaceId }),
    );
    await Promise.all(
      writers.map((actor, i) =>
        kit.withTracking(actor, "insert", `note ${i}`, async (tx) => {
          const [note] = await tx
            .insert(notes)
            .values({ teamId: workspaceId, title: `w${i}` })
            .returning();
          await tx.execute(sql`select pg_sleep(0.005)`);
          return note!;
        }),
      ),
    );
    const events = await allEvents(t.db);
    expect(events).toHaveLength(20);
    for (const event of events) {
      const i = Number(event.actorLabel.replace("Writer ", ""));
      expect(event.actorId).toBe(String(1000 + i));
      expect(event.subject).toBe(`note ${i}`);
      expect(event.changes).toEqual([
        expect.objectContaining({ op: "insert", row: expect.objectContaining({ title: `w${i}` }) }),
      ]);
    }
  });
});

describe("queries", () => {
  it("history is oldest to newest, includes related events, and is scoped to the workspace", async () => {
    await t.db.insert(folders).values({ id: 4, teamId: workspaceId, name: "P" });
    const note = await kit.withTracking(
      alice,
      "insert",
      "note T",
      async (tx) => {
        const [row] = await tx.insert(notes).values({ teamId: workspaceId, title: "T" }).returning();
        return row!;
      },
      { related: [{ type: "folder", id: "4" }] },
    );
    await kit.withTracking(alice, "update", "note T2", (tx) =>
      tx.update(notes).set({ title: "T2" }).where(eq(notes.id, note.id)),
    );

    const ref = { type: "note", id: String(note.id) };
    expect((await kit.history(ref, { workspaceId })).map((e) => e.subject)).toEqual(["note T", "note T2"]);
    expect((await kit.history({ type: "folder", id: "4" }, { workspaceId })).map((e) => e.subject)).toEqual([
      "folder P",
      "note T",
    ]);
    expect(await kit.history(ref, { workspaceId: workspaceId + 1 })).toEqual([]);
    expect((await kit.history(ref, { workspaceId, limit: 1 })).map((e) => e.subject)).toEqual(["note T2"]);
    expect(await kit.isTracked(ref, { workspaceId })).toBe(true);
    const [created] = await kit.history(ref, { workspaceId });
    expect((await kit.event(created!.id, { workspaceId }))?.subject).toBe("note T");
    expect(await kit.event(created!.id, { workspaceId: workspaceId + 1 })).toBeNull();
    expect(await kit.event(0, { workspaceId })).toBeNull();
    expect(await kit.event(Number.NaN, { workspaceId })).toBeNull();
    expect(await kit.isTracked({ type: "note", id: "999" }, { workspaceId })).toBe(false);
    expect(await kit.isTrackedBy(ref, [alice], { workspaceId })).toBe(true);
    expect(await kit.isTrackedBy(ref, [{ id: 424242 }], { workspaceId })).toBe(false);
    expect(kit.recordKey(notes, note)).toBe(`note:${note.id}`);
  });
});

describe("coverage", () => {
  it("passes when every tracked table has its triggers, and names what is missing or stale", async () => {
    expect(await checkCoverage(t.db, fixtureTables)).toEqual([]);
    await t.db.execute(sql`DROP TRIGGER activity_capture_update_notes ON notes`);
    await t.db.execute(sql`ALTER TABLE files DISABLE TRIGGER activity_capture_insert_files`);
    try {
      const problems = await checkCoverage(t.db, fixtureTables);
      expect(problems).toEqual([
        expect.stringMatching(/^notes: no update capture trigger/),
        expect.stringMatching(/^files: the insert capture trigger is disabled/),
      ]);
      const stale = trackTable(notes, { type: "memo", workspace: notes.teamId });
      expect(await checkCoverage(t.db, [stale])).toEqual(
        expect.arrayContaining([expect.stringMatching(/installed for another registration/)]),
      );
    } finally {
      for (const statement of fixtureTables.flatMap((table) => tableTriggerStatements(table)))
        await t.db.execute(sql.raw(statement));
    }
    expect(await checkCoverage(t.db, fixtureTables)).toEqual([]);
  });
});
