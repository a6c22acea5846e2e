import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { comments, projects, type Task, tasks, users } from "@/lib/db/schema";
import { allEvents, testKit } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import type { Actor } from "./actor";

const t = setupTestDb();
const kit = testKit(() => t.db);

let alice: Actor;
let workspaceId: number;

beforeEach(async () => {
  const { workspace, members } = await createWorkspace(t.db, "Acme");
  workspaceId = workspace.id;
  alice = { type: "user", id: members[0]!.id, name: "Alice", workspaceId };
});

const createTask = (title: string) =>
  kit.withTracking(
    alice,
    "insert",
    (task: Task) => `task ${task.title}`,
    async (tx) => {
      const [row] = await tx.insert(tasks).values({ workspaceId, title }).returning();
      return row!;
    },
  );

const rename = (id: number, title: string) =>
  kit.withTracking(alice, "update", `task ${title}`, (tx) => tx.update(tasks).set({ title }).where(eq(tasks.id, id)));

const lastEventId = async () => (await allEvents(t.db)).at(-1)!.id;
const titleOf = async (id: number) =>
  (await t.db.select({ title: tasks.title }).from(tasks).where(eq(tasks.id, id)))[0]?.title;

describe("asOf", () => {
  it("gives the state at every boundary: before creation, between changes, at a change, after deletion", async () => {
    const at = (iso: string) => new Date(iso);
    const task = await kit.withTracking(
      alice,
      "insert",
      "task v1",
      async (tx) => {
        const [row] = await tx.insert(tasks).values({ workspaceId, title: "v1" }).returning();
        return row!;
      },
      { occurredAt: at("2026-01-01T10:00:00Z") },
    );
    await kit.withTracking(
      alice,
      "update",
      "task v2",
      (tx) => tx.update(tasks).set({ title: "v2", status: "doing" }).where(eq(tasks.id, task.id)),
      {
        occurredAt: at("2026-01-02T10:00:00Z"),
      },
    );
    await kit.withTracking(alice, "delete", "task v2", (tx) => tx.delete(tasks).where(eq(tasks.id, task.id)), {
      occurredAt: at("2026-01-03T10:00:00Z"),
    });
    const ref = { type: "task", id: String(task.id) };
    const state = (iso: string) => kit.asOf(ref, at(iso), { workspaceId });

    expect(await state("2026-01-01T09:59:59.999Z")).toEqual({ status: "not_yet" });
    expect(await state("2026-01-01T10:00:00Z")).toMatchObject({
      status: "exists",
      row: { title: "v1", status: "todo" },
    });
    expect(await state("2026-01-02T09:59:59.999Z")).toMatchObject({
      status: "exists",
      row: { title: "v1", status: "todo" },
    });
    expect(await state("2026-01-02T10:00:00Z")).toMatchObject({
      status: "exists",
      row: { title: "v2", status: "doing" },
    });
    expect(await state("2026-01-03T09:00:00Z")).toMatchObject({ status: "exists", row: { title: "v2" } });
    expect(await state("2026-01-03T10:00:00Z")).toEqual({ status: "deleted", deletedAt: at("2026-01-03T10:00:00Z") });
    expect(await state("2027-01-01T00:00:00Z")).toMatchObject({ status: "deleted" });
    expect(await kit.asOf(ref, at("2026-01-02T10:00:00Z"), { workspaceId: workspaceId + 1 })).toEqual({
      status: "not_yet",
    });
  });
});

describe("revert", () => {
  it("restores the fields an update changed, and is itself tracked and revertible", async () => {
    const task = await createTask("Fix login");
    await rename(task.id, "Fix the login redirect");
    const renamed = await lastEventId();

    const result = await kit.revert(alice, renamed);
    expect(result).toMatchObject({ ok: true, data: { revertedEventId: renamed } });
    expect(await titleOf(task.id)).toBe("Fix login");
    const revertEvent = (await allEvents(t.db)).at(-1)!;
    expect(revertEvent).toMatchObject({
      action: "revert",
      recordType: "task",
      recordId: String(task.id),
      metadata: { revertedEventId: renamed, forced: false },
      subject: "reverted: task Fix the login redirect",
    });

    expect(await kit.revert(alice, revertEvent.id)).toMatchObject({ ok: true });
    expect(await titleOf(task.id)).toBe("Fix the login redirect");
  });

  it("refuses when a field changed since, showing current and intended values, unless forced", async () => {
    const task = await createTask("One");
    await rename(task.id, "Two");
    const event = await lastEventId();
    await rename(task.id, "Three");
    const before = (await allEvents(t.db)).length;

    const refused = await kit.revert(alice, event);
    expect(refused).toEqual({
      ok: false,
      error: {
        code: "conflict",
        message: expect.stringContaining("title"),
        conflicts: [
          {
            record: { type: "task", id: String(task.id) },
            field: "title",
            current: "Three",
            expected: "Two",
            intended: "One",
          },
        ],
      },
    });
    expect(await titleOf(task.id)).toBe("Three");
    expect(await allEvents(t.db)).toHaveLength(before);

    expect(await kit.revert(alice, event, { force: true })).toMatchObject({ ok: true });
    expect(await titleOf(task.id)).toBe("One");
    expect((await allEvents(t.db)).at(-1)!.metadata).toEqual({ revertedEventId: event, forced: true });
  });

  it("recreates a deleted record with its children, and deletes an inserted one", async () => {
    const [project] = await t.db.insert(projects).values({ workspaceId, name: "P" }).returning();
    const [task] = await t.db.insert(tasks).values({ workspaceId, projectId: project!.id, title: "Child" }).returning();
    await t.db.insert(comments).values({ workspaceId, taskId: task!.id, body: "hi" });
    await kit.withTracking(alice, "delete", "project P", (tx) =>
      tx.delete(projects).where(eq(projects.id, project!.id)),
    );
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({ ok: true });
    expect(await t.db.select({ id: projects.id }).from(projects)).toEqual([{ id: project!.id }]);
    expect(await titleOf(task!.id)).toBe("Child");
    expect(await t.db.select({ body: comments.body }).from(comments)).toEqual([{ body: "hi" }]);

    const created = await createTask("Oops");
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({ ok: true });
    expect(await titleOf(created.id)).toBeUndefined();
  });

  it("reverts an event that changed one row twice without a spurious conflict", async () => {
    const task = await createTask("A");
    await kit.withTracking(alice, "update", "task C", async (tx) => {
      await tx.update(tasks).set({ title: "B" }).where(eq(tasks.id, task.id));
      await tx.update(tasks).set({ title: "C" }).where(eq(tasks.id, task.id));
    });
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({ ok: true });
    expect(await titleOf(task.id)).toBe("A");
  });

  it("of two reverts of the same change, the second finds it already undone", async () => {
    const task = await createTask("A");
    await rename(task.id, "B");
    const event = await lastEventId();
    const results = await Promise.all([kit.revert(alice, event), kit.revert(alice, event)]);
    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
    expect(results.find((r) => !r.ok)).toMatchObject({ error: { code: "conflict" } });
    expect(await titleOf(task.id)).toBe("A");
  });

  it("never reverts a change to another workspace's record", async () => {
    const other = await createWorkspace(t.db, "Globex");
    const [foreign] = await t.db.insert(tasks).values({ workspaceId: other.workspace.id, title: "Theirs" }).returning();
    // A buggy action of Acme's changed Globex's task: the log has it, but a revert must not touch it.
    await kit.withTracking(alice, "update", "task Theirs", (tx) =>
      tx.update(tasks).set({ title: "Changed by Acme" }).where(eq(tasks.id, foreign!.id)),
    );
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await titleOf(foreign!.id)).toBe("Changed by Acme");
  });

  it("refuses an event of another workspace, or one that changed nothing", async () => {
    const task = await createTask("Mine");
    const event = await lastEventId();
    const other = await createWorkspace(t.db, "Globex");
    const carol: Actor = { type: "user", id: other.members[0]!.id, name: "Carol", workspaceId: other.workspace.id };
    expect(await kit.revert(carol, event)).toMatchObject({ ok: false, error: { code: "not_found" } });
    await kit.withTracking(alice, "insert", "a note", async () => ({ ok: true }), {
      record: { type: "task", id: String(task.id) },
    });
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({
      ok: false,
      error: { code: "not_revertible" },
    });
  });
});

describe("revert: what cannot or need not be undone", () => {
  const eventCount = async () => (await allEvents(t.db)).length;

  it("refuses to restore a comment whose task was deleted since, naming the task and the event to revert first", async () => {
    const task = await createTask("Parent");
    const [comment] = await kit.withTracking(alice, "insert", "comment hi", (tx) =>
      tx.insert(comments).values({ workspaceId, taskId: task.id, body: "hi" }).returning(),
    );
    await kit.withTracking(alice, "delete", "comment hi", (tx) =>
      tx.delete(comments).where(eq(comments.id, comment!.id)),
    );
    const commentDeleted = await lastEventId();
    await kit.withTracking(alice, "delete", "task Parent", (tx) => tx.delete(tasks).where(eq(tasks.id, task.id)));
    const taskDeleted = await lastEventId();
    const before = await eventCount();

    expect(await kit.revert(alice, commentDeleted)).toEqual({
      ok: false,
      error: {
        code: "parent_missing",
        message: `comment:${comment!.id} cannot be restored: its task (task:${task.id}) was deleted. Revert that first (event ${taskDeleted}).`,
        blockedBy: { record: { type: "task", id: String(task.id) }, tracked: true, eventId: taskDeleted },
      },
    });
    // Forcing does not get past it either; nothing was written.
    expect(await kit.revert(alice, commentDeleted, { force: true })).toMatchObject({
      ok: false,
      error: { code: "parent_missing" },
    });
    expect(await eventCount()).toBe(before);
    expect(await t.db.select().from(comments)).toEqual([]);

    // In the order it asks for, both come back.
    expect(await kit.revert(alice, taskDeleted)).toMatchObject({ ok: true });
    expect(await kit.revert(alice, commentDeleted)).toMatchObject({ ok: true });
    expect(await t.db.select({ body: comments.body, taskId: comments.taskId }).from(comments)).toEqual([
      { body: "hi", taskId: task.id },
    ]);
  });

  it("refuses to point a field back at a row of an untracked table that is gone", async () => {
    const other = await createWorkspace(t.db, "Initech", ["member", "member"]);
    const [bob, dan] = other.members.map((m) => m.id);
    const task = await createTask("Assigned");
    await t.db.update(tasks).set({ assigneeId: bob! }).where(eq(tasks.id, task.id));
    await kit.withTracking(alice, "update", "task Assigned", (tx) =>
      tx.update(tasks).set({ assigneeId: dan! }).where(eq(tasks.id, task.id)),
    );
    const reassigned = await lastEventId();
    await t.db.delete(users).where(eq(users.id, bob!));
    const before = await eventCount();

    const refused = await kit.revert(alice, reassigned);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: "parent_missing", blockedBy: { record: { type: "users", id: String(bob) }, tracked: false } },
    });
    expect(refused.ok || refused.error.message).toBe(
      `task:${task.id} cannot be restored: the row of users it refers to (${bob}) no longer exists.`,
    );
    expect(await eventCount()).toBe(before);
  });

  it("refuses to revert an insert whose row is already gone, and stores nothing, however often it is asked", async () => {
    const task = await createTask("Gone");
    const inserted = await lastEventId();
    await kit.withTracking(alice, "delete", "task Gone", (tx) => tx.delete(tasks).where(eq(tasks.id, task.id)));
    const before = await eventCount();
    for (let click = 0; click < 2; click++) {
      expect(await kit.revert(alice, inserted)).toEqual({
        ok: false,
        error: { code: "nothing_to_revert", message: "Nothing to undo: this change is already undone." },
      });
    }
    expect(await eventCount()).toBe(before);
  });
});

describe("fitsKeyType", () => {
  it("accepts ids that cast to the key's type, and only those", async () => {
    const { fitsKeyType } = await import("./keys");
    expect(fitsKeyType("integer", "2147483647")).toBe(true);
    expect(fitsKeyType("integer", "2147483648")).toBe(false);
    expect(fitsKeyType("integer", "abc")).toBe(false);
    expect(fitsKeyType("bigint", "9223372036854775807")).toBe(true);
    expect(fitsKeyType("smallint", "40000")).toBe(false);
    expect(fitsKeyType("uuid", "0b6f1c7e-8a5d-4f1e-9c2b-3d4e5f6a7b8c")).toBe(true);
    expect(fitsKeyType("uuid", "not-a-uuid")).toBe(false);
    expect(fitsKeyType("text", "anything")).toBe(true);
  });
});
