import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { projects, type Task, tasks } from "@/lib/db/schema";
import { allEvents, testKit } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import type { Actor } from "./actor";
import { ActivityError } from "./errors";
import { activityEvents } from "./schema";

const t = setupTestDb();
const kit = testKit(() => t.db);

let alice: Actor & { type: "user" };
let workspaceId: number;

beforeEach(async () => {
  const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin", "member"]);
  workspaceId = workspace.id;
  alice = { type: "user", id: members[0]!.id, name: "Alice Adams", workspaceId };
});

const insertTask = (title: string, extra: Partial<typeof tasks.$inferInsert> = {}) =>
  kit.withTracking(
    alice,
    "insert",
    (task: Task) => `task ${task.title}`,
    async (tx) => {
      const [task] = await tx
        .insert(tasks)
        .values({ workspaceId, title, ...extra })
        .returning();
      return task!;
    },
  );

describe("withTracking: the event exists if and only if the mutation committed", () => {
  it("stores one event with the actor, the subject, the record and the full inserted row", async () => {
    const task = await insertTask("Fix login");
    const [event, ...rest] = await allEvents(t.db);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      workspaceId: String(workspaceId),
      actorType: "user",
      actorId: String(alice.id),
      actorLabel: "Alice Adams",
      action: "insert",
      subject: "task Fix login",
      recordType: "task",
      recordId: String(task.id),
      unattributed: false,
      refs: [],
    });
    expect(event!.changes).toEqual([
      {
        type: "task",
        id: String(task.id),
        op: "insert",
        row: expect.objectContaining({ id: task.id, title: "Fix login", status: "todo", workspace_id: workspaceId }),
      },
    ]);
  });

  it("stores only the changed fields of an update, and nothing for an update that changes nothing", async () => {
    const task = await insertTask("Fix login");
    await kit.withTracking(alice, "update", "task Fix login redirect", (tx) =>
      tx
        .update(tasks)
        .set({ title: "Fix login redirect", status: "doing", updatedAt: sql`now() + interval '1 second'` })
        .where(eq(tasks.id, task.id)),
    );
    const same = await kit.withTracking(alice, "update", "task Fix login redirect", async (tx) => {
      await tx
        .update(tasks)
        .set({ title: "Fix login redirect", updatedAt: sql`now() + interval '2 seconds'` })
        .where(eq(tasks.id, task.id));
      return "unchanged";
    });
    expect(same).toBe("unchanged");
    const events = await allEvents(t.db);
    expect(events.map((e) => e.action)).toEqual(["insert", "update"]);
    expect(events[1]!.changes).toEqual([
      {
        type: "task",
        id: String(task.id),
        op: "update",
        changes: { title: ["Fix login", "Fix login redirect"], status: ["todo", "doing"] },
      },
    ]);
  });

  it("stores the full row of a delete", async () => {
    const task = await insertTask("Doomed");
    await kit.withTracking(alice, "delete", "task Doomed", (tx) => tx.delete(tasks).where(eq(tasks.id, task.id)));
    const [, event] = await allEvents(t.db);
    expect(event).toMatchObject({ action: "delete", recordType: "task", recordId: String(task.id) });
    expect(event!.changes).toEqual([
      { type: "task", id: String(task.id), op: "delete", row: expect.objectContaining({ title: "Doomed" }) },
    ]);
  });

  it("rolls back and propagates when fn throws: no mutation, no event", async () => {
    const boom = new Error("boom");
    await expect(
      kit.withTracking(alice, "insert", "task x", async (tx) => {
        await tx.insert(tasks).values({ workspaceId, title: "Half done" });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await t.db.select().from(tasks)).toEqual([]);
    expect(await allEvents(t.db)).toEqual([]);
  });

  it("rolls back and returns a failure result unchanged", async () => {
    const failure = { ok: false as const, error: { code: "conflict", message: "nope" } };
    const result = await kit.withTracking(alice, "insert", "task x", async (tx) => {
      await tx.insert(tasks).values({ workspaceId, title: "Half done" });
      return failure;
    });
    expect(result).toBe(failure);
    expect(await t.db.select().from(tasks)).toEqual([]);
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
      const error = await insertTask("Never stored").catch((e: unknown) => e);
      // drizzle wraps a failed query of its own (the generic runner); the pipelined runner sends the
      // kit's statements itself and reports the driver's error.
      expect(`${error} ${(error as Error).cause}`).toMatch(/event store unavailable/);
      expect(await t.db.select().from(tasks)).toEqual([]);
    } finally {
      await t.db.execute(sql`DROP TRIGGER test_fail_event ON activity_events`);
    }
    expect(await allEvents(t.db)).toEqual([]);
  });
});

describe("actions and metadata", () => {
  it("requires the verb's metadata, at compile time and at run time", async () => {
    const task = await insertTask("Fix login");
    const cancel = (tx: Parameters<Parameters<typeof kit.withTracking>[3]>[0]) =>
      tx.update(tasks).set({ status: "cancelled" }).where(eq(tasks.id, task.id));

    // @ts-expect-error: task.cancelled requires { reason }
    await expect(kit.withTracking(alice, "task.cancelled", "task Fix login", cancel)).rejects.toBeInstanceOf(
      ActivityError,
    );
    await expect(
      // @ts-expect-error: the reason must be a string
      kit.withTracking(alice, "task.cancelled", "task Fix login", cancel, { metadata: { reason: 42 } }),
    ).rejects.toThrow(/reason/);
    // @ts-expect-error: a misspelled verb
    await expect(kit.withTracking(alice, "task.canceled", "task Fix login", cancel)).rejects.toThrow(/catalogue/);
    expect(await t.db.select({ status: tasks.status }).from(tasks)).toEqual([{ status: "todo" }]);

    await kit.withTracking(alice, "task.cancelled", "task Fix login", cancel, {
      metadata: { reason: "  Duplicate of #3 " },
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => e.action)).toEqual(["insert", "task.cancelled"]);
    expect(events[1]!.metadata).toEqual({ reason: "Duplicate of #3" });
    expect(events[1]!.changes).toEqual([
      { type: "task", id: String(task.id), op: "update", changes: { status: ["todo", "cancelled"] } },
    ]);
  });

  it("takes an explicit record reference and related records", async () => {
    const [project] = await t.db.insert(projects).values({ workspaceId, name: "Launch" }).returning();
    const task = await insertTask("Announce");
    await kit.withTracking(
      alice,
      "update",
      "announced the launch",
      (tx) => tx.update(tasks).set({ status: "done" }).where(eq(tasks.id, task.id)),
      {
        record: { type: "project", id: String(project!.id) },
        related: [
          { type: "task", id: String(task.id) },
          { type: "user", id: "9" },
        ],
        metadata: { comment: "by mail" },
      },
    );
    const [event] = await t.db.select().from(activityEvents).where(eq(activityEvents.subject, "announced the launch"));
    expect(event).toMatchObject({
      recordType: "project",
      recordId: String(project!.id),
      related: [
        { type: "task", id: String(task.id) },
        { type: "user", id: "9" },
      ],
      refs: [`task:${task.id}`, "user:9"],
      metadata: { comment: "by mail" },
    });
  });

  it("with track: false, stores neither an event nor a captured change", async () => {
    const result = await kit.withTracking(
      alice,
      "insert",
      "untracked",
      async (tx) => {
        await tx.insert(tasks).values({ workspaceId, title: "Quiet" });
        return "done";
      },
      { track: false },
    );
    expect(result).toBe("done");
    expect(await t.db.select({ title: tasks.title }).from(tasks)).toEqual([{ title: "Quiet" }]);
    expect(await allEvents(t.db)).toEqual([]);
    const failure = await kit.withTracking(
      alice,
      "insert",
      "untracked",
      async (tx) => {
        await tx.insert(tasks).values({ workspaceId, title: "Rolled back" });
        return { ok: false as const };
      },
      { track: false },
    );
    expect(failure).toEqual({ ok: false });
    expect(await t.db.select({ title: tasks.title }).from(tasks)).toEqual([{ title: "Quiet" }]);
  });
});
