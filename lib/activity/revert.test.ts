import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { allEvents } from "./testing/events";
import { files, folders, members, notes, remarks } from "./testing/schema";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

type Note = typeof notes.$inferSelect;

let alice: Actor;
const workspaceId = 7;
const otherWorkspaceId = 8;

const member = async (name: string) => (await t.db.insert(members).values({ name }).returning())[0]!.id;

beforeEach(async () => {
  alice = { type: "user", id: await member("Alice"), name: "Alice", workspaceId };
});

const createNote = (title: string) =>
  kit.withTracking(
    alice,
    "insert",
    (note: Note) => `note ${note.title}`,
    async (tx) => {
      const [row] = await tx.insert(notes).values({ teamId: workspaceId, title }).returning();
      return row!;
    },
  );

const rename = (id: number, title: string) =>
  kit.withTracking(alice, "update", `note ${title}`, (tx) => tx.update(notes).set({ title }).where(eq(notes.id, id)));

const lastEventId = async () => (await allEvents(t.db)).at(-1)!.id;
const titleOf = async (id: number) =>
  (await t.db.select({ title: notes.title }).from(notes).where(eq(notes.id, id)))[0]?.title;

describe("asOf", () => {
  it("gives the state at every boundary: before creation, between changes, at a change, after deletion", async () => {
    const at = (iso: string) => new Date(iso);
    const note = await kit.withTracking(
      alice,
      "insert",
      "note v1",
      async (tx) => {
        const [row] = await tx.insert(notes).values({ teamId: workspaceId, title: "v1" }).returning();
        return row!;
      },
      { occurredAt: at("2026-01-01T10:00:00Z") },
    );
    await kit.withTracking(
      alice,
      "update",
      "note v2",
      (tx) => tx.update(notes).set({ title: "v2", status: "done" }).where(eq(notes.id, note.id)),
      {
        occurredAt: at("2026-01-02T10:00:00Z"),
      },
    );
    await kit.withTracking(alice, "delete", "note v2", (tx) => tx.delete(notes).where(eq(notes.id, note.id)), {
      occurredAt: at("2026-01-03T10:00:00Z"),
    });
    const ref = { type: "note", id: String(note.id) };
    const state = (iso: string) => kit.asOf(ref, at(iso), { workspaceId });

    expect(await state("2026-01-01T09:59:59.999Z")).toEqual({ status: "not_yet" });
    expect(await state("2026-01-01T10:00:00Z")).toMatchObject({
      status: "exists",
      row: { title: "v1", status: "open" },
    });
    expect(await state("2026-01-02T09:59:59.999Z")).toMatchObject({
      status: "exists",
      row: { title: "v1", status: "open" },
    });
    expect(await state("2026-01-02T10:00:00Z")).toMatchObject({
      status: "exists",
      row: { title: "v2", status: "done" },
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
    const note = await createNote("Fix login");
    await rename(note.id, "Fix the login redirect");
    const renamed = await lastEventId();

    const result = await kit.revert(alice, renamed, { reason: "  Typo in the rename " });
    expect(result).toMatchObject({ ok: true, data: { revertedEventId: renamed } });
    expect(await titleOf(note.id)).toBe("Fix login");
    const revertEvent = (await allEvents(t.db)).at(-1)!;
    expect(revertEvent).toMatchObject({
      action: "revert",
      recordType: "note",
      recordId: String(note.id),
      metadata: { revertedEventId: renamed, forced: false, reason: "Typo in the rename", revertedActor: "Alice" },
      // The record as the reverted event named it: the feed line says "reverted" itself.
      subject: "note Fix the login redirect",
    });

    expect(await kit.revert(alice, revertEvent.id)).toMatchObject({ ok: true });
    expect(await titleOf(note.id)).toBe("Fix the login redirect");
    // A revert of a revert names the record once, not "reverted: reverted: …"; no reason, none stored.
    const again = (await allEvents(t.db)).at(-1)!;
    expect(again.subject).toBe("note Fix the login redirect");
    expect(again.metadata).toEqual({ revertedEventId: revertEvent.id, forced: false, revertedActor: "Alice" });
  });

  it("refuses when a field changed since, showing current and intended values, unless forced", async () => {
    const note = await createNote("One");
    await rename(note.id, "Two");
    const event = await lastEventId();
    await rename(note.id, "Three");
    const before = (await allEvents(t.db)).length;

    const refused = await kit.revert(alice, event);
    expect(refused).toEqual({
      ok: false,
      error: {
        code: "conflict",
        message: "Changed since this event: Title. Confirm to overwrite.",
        conflicts: [
          {
            record: { type: "note", id: String(note.id) },
            field: "title",
            current: "Three",
            expected: "Two",
            intended: "One",
            readable: { record: "note Three", label: "Title", current: "Three", intended: "One" },
          },
        ],
      },
    });
    expect(await titleOf(note.id)).toBe("Three");
    expect(await allEvents(t.db)).toHaveLength(before);

    expect(await kit.revert(alice, event, { force: true })).toMatchObject({ ok: true });
    expect(await titleOf(note.id)).toBe("One");
    expect((await allEvents(t.db)).at(-1)!.metadata).toEqual({
      revertedEventId: event,
      forced: true,
      revertedActor: "Alice",
    });
  });

  it("recreates a deleted record with its children, and deletes an inserted one", async () => {
    await t.db.insert(folders).values({ id: 3, teamId: workspaceId, name: "P" });
    const [file] = await t.db.insert(files).values({ folderId: 3, teamId: workspaceId, name: "Child" }).returning();
    await t.db.insert(remarks).values({ fileId: file!.id, teamId: workspaceId, body: "hi" });
    await kit.withTracking(alice, "delete", "folder P", (tx) => tx.delete(folders).where(eq(folders.id, 3)));
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({ ok: true });
    expect(await t.db.select({ id: folders.id }).from(folders)).toEqual([{ id: 3 }]);
    expect(await t.db.select({ id: files.id, name: files.name }).from(files)).toEqual([
      { id: file!.id, name: "Child" },
    ]);
    expect(await t.db.select({ body: remarks.body, fileId: remarks.fileId }).from(remarks)).toEqual([
      { body: "hi", fileId: file!.id },
    ]);

    const created = await createNote("Oops");
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({ ok: true });
    expect(await titleOf(created.id)).toBeUndefined();
  });

  it("names a conflict's field and values as the diffs do: the label, the format, referenced names", async () => {
    await kit.withTracking(alice, "insert", "folders", (tx) =>
      tx.insert(folders).values([
        { id: 41, teamId: workspaceId, name: "Inbox" },
        { id: 42, teamId: workspaceId, name: "Drafts" },
        { id: 43, teamId: workspaceId, name: "Archive" },
      ]),
    );
    const [file] = await kit.withTracking(alice, "insert", "file plan.txt", (tx) =>
      tx.insert(files).values({ folderId: 41, teamId: workspaceId, name: "plan.txt" }).returning(),
    );
    const move = (folderId: number) =>
      kit.withTracking(alice, "update", "file plan.txt", (tx) =>
        tx.update(files).set({ folderId }).where(eq(files.id, file!.id)),
      );
    await move(42);
    const event = await lastEventId();
    await move(43);
    const note = await createNote("One");
    await kit.withTracking(alice, "update", "note One", (tx) =>
      tx.update(notes).set({ status: "closed" }).where(eq(notes.id, note.id)),
    );
    const closed = await lastEventId();
    await kit.withTracking(alice, "update", "note One", (tx) =>
      tx.update(notes).set({ status: "archived" }).where(eq(notes.id, note.id)),
    );

    const refused = await kit.revert(alice, event);
    expect(refused.ok).toBe(false);
    const [conflict] = refused.ok ? [] : (refused.error.conflicts ?? []);
    expect(conflict).toMatchObject({ field: "folder_id", current: 43, intended: 41 });
    expect(conflict!.readable).toEqual({
      record: "file plan.txt",
      label: "Folder",
      current: "Archive",
      intended: "Inbox",
    });

    const status = await kit.revert(alice, closed);
    const [statusConflict] = status.ok ? [] : (status.error.conflicts ?? []);
    expect(statusConflict!.readable).toEqual({
      record: "note One",
      label: "Status",
      current: "archived",
      intended: "Open",
    });
  });

  it("reverts an event that changed one row twice without a spurious conflict", async () => {
    const note = await createNote("A");
    await kit.withTracking(alice, "update", "note C", async (tx) => {
      await tx.update(notes).set({ title: "B" }).where(eq(notes.id, note.id));
      await tx.update(notes).set({ title: "C" }).where(eq(notes.id, note.id));
    });
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({ ok: true });
    expect(await titleOf(note.id)).toBe("A");
  });

  it("of two reverts of the same change, the second finds it already undone", async () => {
    const note = await createNote("A");
    await rename(note.id, "B");
    const event = await lastEventId();
    const results = await Promise.all([kit.revert(alice, event), kit.revert(alice, event)]);
    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
    expect(results.find((r) => !r.ok)).toMatchObject({ error: { code: "conflict" } });
    expect(await titleOf(note.id)).toBe("A");
  });

  it("never reverts a change to another workspace's record", async () => {
    const [foreign] = await t.db.insert(notes).values({ teamId: otherWorkspaceId, title: "Theirs" }).returning();
    // A buggy action of one team's changed another team's note: the log has it, but a revert must not touch it.
    await kit.withTracking(alice, "update", "note Theirs", (tx) =>
      tx.update(notes).set({ title: "Changed by Acme" }).where(eq(notes.id, foreign!.id)),
    );
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await titleOf(foreign!.id)).toBe("Changed by Acme");
  });

  it("refuses an event of another workspace, or one that changed nothing", async () => {
    const note = await createNote("Mine");
    const event = await lastEventId();
    const carol: Actor = { type: "user", id: await member("Carol"), name: "Carol", workspaceId: otherWorkspaceId };
    expect(await kit.revert(carol, event)).toMatchObject({ ok: false, error: { code: "not_found" } });
    await kit.withTracking(alice, "insert", "a note", async () => ({ ok: true }), {
      record: { type: "note", id: String(note.id) },
    });
    expect(await kit.revert(alice, await lastEventId())).toMatchObject({
      ok: false,
      error: { code: "not_revertible" },
    });
  });
});

describe("revert: what cannot or need not be undone", () => {
  const eventCount = async () => (await allEvents(t.db)).length;

  it("refuses to restore a file whose folder was deleted since, naming the folder and the event to revert first", async () => {
    const folder = await kit.withTracking(alice, "insert", "folder Parent", async (tx) => {
      const [row] = await tx.insert(folders).values({ id: 5, teamId: workspaceId, name: "Parent" }).returning();
      return row!;
    });
    const [file] = await kit.withTracking(alice, "insert", "file hi", (tx) =>
      tx.insert(files).values({ folderId: folder.id, teamId: workspaceId, name: "hi" }).returning(),
    );
    await kit.withTracking(alice, "delete", "file hi", (tx) => tx.delete(files).where(eq(files.id, file!.id)));
    const fileDeleted = await lastEventId();
    await kit.withTracking(alice, "delete", "folder Parent", (tx) =>
      tx.delete(folders).where(eq(folders.id, folder.id)),
    );
    const folderDeleted = await lastEventId();
    const before = await eventCount();

    expect(await kit.revert(alice, fileDeleted)).toEqual({
      ok: false,
      error: {
        code: "parent_missing",
        message: `file:${file!.id} cannot be restored: its folder (folder:${folder.id}) was deleted. Revert that first (event ${folderDeleted}).`,
        blockedBy: { record: { type: "folder", id: String(folder.id) }, tracked: true, eventId: folderDeleted },
      },
    });
    // Forcing does not get past it either; nothing was written.
    expect(await kit.revert(alice, fileDeleted, { force: true })).toMatchObject({
      ok: false,
      error: { code: "parent_missing" },
    });
    expect(await eventCount()).toBe(before);
    expect(await t.db.select().from(files)).toEqual([]);

    // In the order it asks for, both come back.
    expect(await kit.revert(alice, folderDeleted)).toMatchObject({ ok: true });
    expect(await kit.revert(alice, fileDeleted)).toMatchObject({ ok: true });
    expect(await t.db.select({ name: files.name, folderId: files.folderId }).from(files)).toEqual([
      { name: "hi", folderId: folder.id },
    ]);
  });

  it("refuses to point a field back at a row of an untracked table that is gone", async () => {
    const [bob, dan] = [await member("Bob"), await member("Dan")];
    await t.db.insert(folders).values({ id: 6, teamId: workspaceId, name: "F" });
    const [file] = await t.db.insert(files).values({ folderId: 6, teamId: workspaceId, name: "f" }).returning();
    const remark = await kit.withTracking(alice, "insert", "remark Assigned", async (tx) => {
      const [row] = await tx
        .insert(remarks)
        .values({ fileId: file!.id, teamId: workspaceId, body: "Assigned" })
        .returning();
      return row!;
    });
    await t.db.update(remarks).set({ authorId: bob }).where(eq(remarks.id, remark.id));
    await kit.withTracking(alice, "update", "remark Assigned", (tx) =>
      tx.update(remarks).set({ authorId: dan }).where(eq(remarks.id, remark.id)),
    );
    const reassigned = await lastEventId();
    await t.db.delete(members).where(eq(members.id, bob));
    const before = await eventCount();

    const refused = await kit.revert(alice, reassigned);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: "parent_missing", blockedBy: { record: { type: "members", id: String(bob) }, tracked: false } },
    });
    expect(refused.ok || refused.error.message).toBe(
      `remark:${remark.id} cannot be restored: the row of members it refers to (${bob}) no longer exists.`,
    );
    expect(await eventCount()).toBe(before);
  });

  it("refuses to revert an insert whose row is already gone, and stores nothing, however often it is asked", async () => {
    const note = await createNote("Gone");
    const inserted = await lastEventId();
    await kit.withTracking(alice, "delete", "note Gone", (tx) => tx.delete(notes).where(eq(notes.id, note.id)));
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
