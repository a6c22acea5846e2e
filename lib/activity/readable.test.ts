import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import type { AnyDatabase } from "./database";
import { trackTable } from "./registry";
import { toItems } from "./items";
import { changesText } from "./readable";
import { allEvents } from "./testing/events";
import { files, folders, members, notes, remarks } from "./testing/schema";
import { fixtureActors, fixtureKit, fixtureTables } from "./testing/tables";
import { createActivityKit } from "./index";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);
const team = 7;

let alice: Actor;
let bob: { id: number; name: string };

beforeEach(async () => {
  const [a] = await t.db.insert(members).values({ name: "Alice" }).returning();
  const [b] = await t.db.insert(members).values({ name: "Bob Brown" }).returning();
  alice = { type: "user", id: a!.id, name: "Alice", workspaceId: team };
  bob = b!;
});

const items = async () =>
  kit.toItems(
    (await allEvents(t.db)).map((r) => ({ ...r, seq: null })),
    { audit: true },
  );
const lastItem = async () => (await items()).at(-1)!;

const folder = (id: number, name: string, teamId = team) =>
  kit.withTracking(alice, "insert", `folder ${name}`, (tx) => tx.insert(folders).values({ id, teamId, name }));

describe("readable changes", () => {
  it("label and format an update's fields and hide the system columns", async () => {
    const [note] = await kit.withTracking(alice, "insert", "note Plan", (tx) =>
      tx.insert(notes).values({ teamId: team, title: "Plan" }).returning(),
    );
    await kit.withTracking(alice, "update", "note Plan", (tx) =>
      tx.update(notes).set({ status: "closed", updatedAt: new Date() }).where(eq(notes.id, note!.id)),
    );
    const [created, updated] = await items();
    // A create: the fields with something in them (those the registration lists first), not the key, the
    // tenant, the ignored timestamp, or an empty text.
    expect(created!.readable).toEqual([
      {
        type: "note",
        id: String(note!.id),
        op: "insert",
        label: "Plan",
        fields: [
          { field: "status", label: "Status", after: "Open" },
          { field: "title", label: "Title", after: "Plan" },
        ],
      },
    ]);
    expect(updated!.readable[0]!.fields).toEqual([
      { field: "status", label: "Status", before: "Open", after: "Closed" },
    ]);
    expect(updated!.record).toMatchObject({ label: "Plan", href: `/notes/${note!.id}`, exists: true });
    expect(changesText(updated!.readable)).toBe("note Plan: Status: Open → Closed");
  });

  it("read a record's states at two instants, with labels and names, and where it did not exist", async () => {
    const before = new Date(Date.now() - 60_000);
    await folder(1, "Website");
    await folder(2, "Launch");
    const [file] = await kit.withTracking(alice, "insert", "file plan.txt", (tx) =>
      tx.insert(files).values({ folderId: 1, teamId: team, name: "plan.txt" }).returning(),
    );
    const created = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await kit.withTracking(alice, "update", "file plan.txt", (tx) =>
      tx.update(files).set({ folderId: 2 }).where(eq(files.id, file!.id)),
    );
    const record = { type: "file", id: String(file!.id) };
    const [then, now, never] = await kit.statesAt(record, [created, new Date(), before], { workspaceId: team });
    const folderOf = (fields: { label: string; value: string }[] | null) => fields?.find((f) => f.label === "Folder");
    expect(folderOf(then!.fields)).toEqual({ field: "folder_id", label: "Folder", value: "Website" });
    expect(folderOf(now!.fields)).toEqual({ field: "folder_id", label: "Folder", value: "Launch" });
    // The registration's fields first; the key and the tenant column are hidden, the label column named.
    expect(then!.fields!.map((f) => f.label)).toEqual(["Folder", "Name"]);
    expect(never).toMatchObject({ at: before, state: { status: "not_yet" }, fields: null });
    // Another workspace sees no state of it.
    const [elsewhere] = await kit.statesAt(record, [new Date()], { workspaceId: 8 });
    expect(elsewhere!.fields).toBeNull();
  });

  it("name referenced records as they are now, and as they last were when they are gone", async () => {
    await folder(1, "Website");
    await folder(2, "Launch");
    const [file] = await kit.withTracking(alice, "insert", "file plan.txt", (tx) =>
      tx.insert(files).values({ folderId: 1, teamId: team, name: "plan.txt" }).returning(),
    );
    await kit.withTracking(alice, "update", "file plan.txt", (tx) =>
      tx.update(files).set({ folderId: 2 }).where(eq(files.id, file!.id)),
    );
    expect((await lastItem()).readable[0]!.fields).toEqual([
      { field: "folder_id", label: "Folder", before: "Website", after: "Launch" },
    ]);

    await kit.withTracking(alice, "update", "folder Site", (tx) =>
      tx.update(folders).set({ name: "Site" }).where(eq(folders.id, 1)),
    );
    // The file moves out of Launch before Launch is deleted, so the delete cascades to nothing.
    await kit.withTracking(alice, "update", "file plan.txt", (tx) =>
      tx.update(files).set({ folderId: 1 }).where(eq(files.id, file!.id)),
    );
    await kit.withTracking(alice, "delete", "folder Launch", (tx) => tx.delete(folders).where(eq(folders.id, 2)));
    const move = (await items()).find((i) => i.action === "update" && i.readable[0]?.type === "file")!;
    expect(move.readable[0]!.fields).toEqual([
      { field: "folder_id", label: "Folder", before: "Site", after: "Launch" },
    ]);
  });

  it("name actors through the actors table, or by the name their events kept, and not once they are deleted", async () => {
    await folder(1, "Website");
    const [file] = await kit.withTracking(alice, "insert", "file a", (tx) =>
      tx.insert(files).values({ folderId: 1, teamId: team, name: "a" }).returning(),
    );
    const bobActor: Actor = { type: "user", id: bob.id, name: "Bob Brown", workspaceId: team };
    await kit.withTracking(bobActor, "insert", "remark", (tx) =>
      tx.insert(remarks).values({ fileId: file!.id, teamId: team, authorId: bob.id, body: "Looks good" }),
    );
    const remark = await lastItem();
    expect(remark.readable[0]!.fields).toEqual([
      { field: "file_id", label: "File", after: "a" },
      { field: "author_id", label: "Author", after: "Bob Brown" },
      { field: "body", label: "Body", after: "Looks good" },
    ]);
    await t.db.update(members).set({ name: "Robert Brown" }).where(eq(members.id, bob.id));
    expect((await items()).find((i) => i.id === remark.id)!.readable[0]!.fields[1]!.after).toBe("Robert Brown");
    // Without a name column, the name Bob's own events recorded.
    const rows = (await allEvents(t.db)).map((r) => ({ ...r, seq: null }));
    const unlabelled = await toItems(t.db, fixtureTables, rows, { actors: { table: members, id: members.id } });
    expect(unlabelled.find((i) => i.id === remark.id)!.readable[0]!.fields[1]!.after).toBe("Bob Brown");
    // Deleting a person unlinks their events on purpose: nothing names them any more.
    await t.db.delete(members).where(eq(members.id, bob.id));
    expect((await items()).find((i) => i.id === remark.id)!.readable[0]!.fields[1]!.after).toBe("a deleted user");
  });

  it("never name a record of another tenant", async () => {
    await kit.withTracking({ ...alice, workspaceId: 8 } as Actor, "insert", "folder Secret", (tx) =>
      tx.insert(folders).values({ id: 9, teamId: 8, name: "Secret" }),
    );
    await folder(1, "Website");
    const [file] = await kit.withTracking(alice, "insert", "file a", (tx) =>
      tx.insert(files).values({ folderId: 1, teamId: team, name: "a" }).returning(),
    );
    // Raw SQL points the file at the other team's folder: the log shows its id, not its name.
    await t.db.update(files).set({ folderId: 9 }).where(eq(files.id, file!.id));
    expect((await lastItem()).readable[0]!.fields).toEqual([
      { field: "folder_id", label: "Folder", before: "Website", after: "folder 9" },
    ]);
  });

  it("cost one query per record type a page refers to, however many lines it has", async () => {
    const queries = async (count: number) => {
      for (let i = 1; i <= count; i++) await folder(100 * count + i, `f${i}`);
      for (let i = 1; i <= count; i++) {
        await kit.withTracking(alice, "insert", "file", (tx) =>
          tx.insert(files).values({ folderId: 100 * count + i, teamId: team, name: `file ${i}` }),
        );
      }
      const rows = (await allEvents(t.db)).map((r) => ({ ...r, seq: null }));
      let executed = 0;
      const counting = new Proxy(t.db, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (property !== "execute" && property !== "select") return value;
          return (...args: unknown[]) => {
            executed++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as AnyDatabase;
      const page = await toItems(counting, fixtureTables, rows, { actors: fixtureActors });
      expect(page.at(-1)!.readable[0]!.fields).toContainEqual({
        field: "folder_id",
        label: "Folder",
        after: `f${count}`,
      });
      return executed;
    };
    const few = await queries(2);
    const many = await queries(20);
    expect(many).toBe(few);
  });

  it("refuse a ref to nothing registered, and a field that is not a column", () => {
    const bad = trackTable(files, { type: "file", label: files.name, fields: { folderId: { ref: "drawer" } } });
    expect(() => createActivityKit({ db: () => t.db, catalogue: {}, tables: [bad] })).toThrow(/"drawer"/);
    expect(() => trackTable(files, { type: "file", fields: { nope: { label: "x" } } as never })).toThrow(/nope/);
  });
});
