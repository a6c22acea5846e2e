import { and, eq } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "../actor";
import { checkCoverage } from "../coverage";
import { keyCastType, parseRecordKey, trackTable } from "../registry";
import { activityEvents } from "../schema";
import { codes, documents, files, folders, items, labels, notes, tags } from "./schema";
import { sequenceAll } from "./sequence";
import { fixtureKit, fixtureTables } from "./tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

const ORG = "0b9c3a52-4d3e-4f7a-9a51-6f1d2c3b4a5e";

interface KeyCase {
  key: string;
  type: string;
  table: PgTable & { id: PgColumn };
  /** The tenant the rows belong to (undefined: a table without one). */
  workspaceId?: string | number;
  /** A new row's values; `n` tells rows apart. */
  values: (n: number) => Record<string, unknown>;
  /** The text column an update changes. */
  field: { property: string; column: string };
  /** Ids that cannot be of the key's type (or name no row by being cut short). */
  foreign: string[];
  /** Other spellings of a real id that a cast would accept (`007` for 7): they name no record either. */
  respell?: (id: string) => string;
}

const cases: KeyCase[] = [
  {
    key: "serial",
    type: "note",
    table: notes,
    workspaceId: 7,
    values: (n) => ({ teamId: 7, title: `note ${n}` }),
    field: { property: "title", column: "title" },
    respell: (id) => `0${id}`,
    foreign: ["abc", "2147483648", "1.5", "-2147483649"],
  },
  {
    key: "uuid",
    type: "document",
    table: documents,
    workspaceId: ORG,
    values: (n) => ({ orgId: ORG, title: `document ${n}` }),
    field: { property: "title", column: "title" },
    respell: (id) => id.toUpperCase(),
    foreign: ["42", "not-a-uuid", "0b9c3a52-4d3e-4f7a-9a51-6f1d2c3b4a5"],
  },
  {
    key: "text",
    type: "tag",
    table: tags,
    values: (n) => ({ id: `urgent.${n}@team`, name: `tag ${n}` }),
    field: { property: "name", column: "name" },
    foreign: [],
  },
  {
    key: "bigint identity",
    type: "item",
    table: items,
    workspaceId: "acme",
    values: (n) => ({ accountId: "acme", name: `item ${n}` }),
    field: { property: "name", column: "name" },
    respell: (id) => `0${id}`,
    foreign: ["x1", "9223372036854775808"],
  },
  {
    key: "smallserial",
    type: "label",
    table: labels,
    values: (n) => ({ name: `label ${n}` }),
    field: { property: "name", column: "name" },
    respell: (id) => `0${id}`,
    foreign: ["32768", "one"],
  },
  {
    key: "varchar(8)",
    type: "code",
    table: codes,
    workspaceId: 7,
    values: (n) => ({ id: `CODE000${n}`, teamId: 7, name: `code ${n}` }),
    field: { property: "name", column: "name" },
    // Cast to varchar(8), "CODE0001x" would be cut to "CODE0001": the record of another id.
    foreign: ["CODE0001x"],
  },
  {
    key: "integer",
    type: "folder",
    table: folders,
    workspaceId: 7,
    values: (n) => ({ id: 100 + n, teamId: 7, name: `folder ${n}` }),
    field: { property: "name", column: "name" },
    respell: (id) => `0${id}`,
    foreign: ["abc", "99999999999"],
  },
  {
    key: "bigserial",
    type: "file",
    table: files,
    workspaceId: 7,
    values: (n) => ({ folderId: 1, teamId: 7, name: `file ${n}` }),
    field: { property: "name", column: "name" },
    respell: (id) => `0${id}`,
    foreign: ["abc", "9223372036854775808"],
  },
];

const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));

describe.each(cases)("a $key primary key ($type)", (c) => {
  const actor: Actor = { type: "user", id: "u1", name: "Ada", workspaceId: c.workspaceId };
  const read = { workspaceId: c.workspaceId };

  async function setup() {
    // The bigserial files live in folder 1.
    await t.db.insert(folders).values({ id: 1, teamId: 7, name: "home" });
    const row = await kit.withTracking(
      actor,
      "insert",
      "created",
      async (tx) => {
        const [inserted] = await tx.insert(c.table).values(c.values(1)).returning();
        return inserted as Record<string, unknown>;
      },
      { occurredAt: day(1) },
    );
    const id = String(row.id);
    await kit.withTracking(
      actor,
      "update",
      "renamed",
      (tx) =>
        tx
          .update(c.table)
          .set({ [c.field.property]: "renamed" })
          .where(eq(c.table.id, row.id)),
      { occurredAt: day(2) },
    );
    return { row, id, ref: { type: c.type, id } };
  }

  it("is captured, with the key in the event's record and changes", async () => {
    const { row, id } = await setup();
    const events = await t.db.select().from(activityEvents).orderBy(activityEvents.id);
    // The folder made by the setup is an unattributed event; the two tracked ones follow.
    const tracked = events.filter((e) => e.recordType === c.type && !e.unattributed);
    expect(tracked.map((e) => [e.action, e.recordId, e.workspaceId])).toEqual([
      ["insert", id, String(c.workspaceId ?? "")],
      ["update", id, String(c.workspaceId ?? "")],
    ]);
    expect(tracked[0]!.changes).toEqual([expect.objectContaining({ type: c.type, id, op: "insert" })]);
    expect(tracked[1]!.changes).toEqual([
      { type: c.type, id, op: "update", changes: { [c.field.column]: [row[c.field.property], "renamed"] } },
    ]);
    // A change outside withTracking too, in the row's tenant.
    const [other] = await t.db.insert(c.table).values(c.values(2)).returning();
    const otherId = String((other as { id: unknown }).id);
    const unattributed = await t.db.select().from(activityEvents).where(eq(activityEvents.recordId, otherId));
    expect(unattributed.filter((e) => e.recordType === c.type)).toEqual([
      expect.objectContaining({ unattributed: true, action: "insert", workspaceId: String(c.workspaceId ?? "") }),
    ]);
    expect(await checkCoverage(t.db, fixtureTables)).toEqual([]);
  });

  it("filters the feed by record, and says whether the record still exists", async () => {
    const { id, ref } = await setup();
    const page = async () => {
      await sequenceAll(t.db);
      return kit.feed(c.workspaceId, new URLSearchParams({ record: `${ref.type}:${ref.id}` }));
    };
    const before = await page();
    expect(before.items.map((i) => [i.subject, i.record])).toEqual([
      ["renamed", expect.objectContaining({ type: c.type, id, exists: true })],
      ["created", expect.objectContaining({ type: c.type, id, exists: true })],
    ]);
    await kit.withTracking(actor, "delete", "deleted", (tx) => tx.delete(c.table).where(eq(c.table.id, id)));
    const after = await page();
    expect(after.items.map((i) => [i.subject, i.record?.exists])).toEqual([
      ["deleted", false],
      ["renamed", false],
      ["created", false],
    ]);
    for (const foreign of c.foreign) {
      expect((await kit.feed(c.workspaceId, new URLSearchParams({ record: `${c.type}:${foreign}` }))).items).toEqual(
        [],
      );
    }
  });

  it("has a history, and ids that cannot be of its type have none", async () => {
    const { ref } = await setup();
    expect((await kit.history(ref, read)).map((e) => e.subject)).toEqual(["created", "renamed"]);
    expect(await kit.isTracked(ref, read)).toBe(true);
    for (const foreign of c.foreign) expect(await kit.history({ type: c.type, id: foreign }, read)).toEqual([]);
  });

  it("is read as of any instant; an id that cannot be of its type names no record", async () => {
    const { row, ref } = await setup();
    expect(await kit.asOf(ref, day(1), read)).toEqual({
      status: "exists",
      row: expect.objectContaining({ [c.field.column]: row[c.field.property] }),
    });
    expect(await kit.asOf(ref, day(3), read)).toEqual({
      status: "exists",
      row: expect.objectContaining({ [c.field.column]: "renamed" }),
    });
    expect(await kit.asOf(ref, new Date(Date.UTC(2025, 0, 1)), read)).toEqual({ status: "not_yet" });
    for (const foreign of c.foreign) {
      expect(await kit.asOf({ type: c.type, id: foreign }, day(3), read)).toEqual({ status: "not_yet" });
    }
    if (c.respell) {
      // Before it existed, under another spelling of its id: still nothing (the row a cast finds is no record).
      const respelled = { type: c.type, id: c.respell(ref.id) };
      expect(await kit.asOf(respelled, new Date(Date.UTC(2025, 0, 1)), read)).toEqual({ status: "not_yet" });
    }
  });

  it("reverts an update, a delete and an insert", async () => {
    const { row, id, ref } = await setup();
    const [, rename] = await kit.history(ref, read);
    expect(await kit.revert(actor, rename!.id)).toMatchObject({ ok: true });
    const current = async () =>
      (await t.db.select().from(c.table).where(eq(c.table.id, id))) as Record<string, unknown>[];
    expect((await current())[0]![c.field.property]).toBe(row[c.field.property]);

    await kit.withTracking(actor, "delete", "deleted", (tx) => tx.delete(c.table).where(eq(c.table.id, id)));
    const deletion = (await kit.history(ref, read)).at(-1)!;
    expect(deletion.action).toBe("delete");
    expect(await kit.revert(actor, deletion.id)).toMatchObject({ ok: true });
    expect(await current()).toEqual([expect.objectContaining({ id: row.id })]);

    const [creation] = await kit.history(ref, read);
    expect(await kit.revert(actor, creation!.id)).toMatchObject({ ok: true });
    expect(await current()).toEqual([]);
  });
});

describe("a revert across a foreign key", () => {
  it("recreates a folder before the files its deletion cascaded to", async () => {
    const actor: Actor = { type: "user", id: "u1", name: "Ada", workspaceId: 7 };
    await t.db.insert(folders).values({ id: 5, teamId: 7, name: "docs" });
    await t.db.insert(files).values([
      { folderId: 5, teamId: 7, name: "a.txt" },
      { folderId: 5, teamId: 7, name: "b.txt" },
    ]);
    await kit.withTracking(actor, "delete", "folder docs", (tx) => tx.delete(folders).where(eq(folders.id, 5)));
    const [deletion] = await t.db
      .select()
      .from(activityEvents)
      .where(and(eq(activityEvents.subject, "folder docs"), eq(activityEvents.unattributed, false)));
    expect(deletion!.changes.map((change) => `${change.op} ${change.type}`).sort()).toEqual([
      "delete file",
      "delete file",
      "delete folder",
    ]);
    expect(await kit.revert(actor, deletion!.id)).toMatchObject({ ok: true });
    expect((await t.db.select().from(files).orderBy(files.id)).map((f) => [f.id, f.name])).toEqual([
      [1, "a.txt"],
      [2, "b.txt"],
    ]);
    expect(await t.db.select().from(folders)).toEqual([{ id: 5, teamId: 7, name: "docs" }]);
  });
});

describe("registration", () => {
  it("casts serial keys as the integer types they are", () => {
    expect(fixtureTables.map((table) => [table.type, table.primaryKeyType])).toEqual([
      ["note", "integer"],
      ["document", "uuid"],
      ["tag", "text"],
      ["item", "bigint"],
      ["label", "smallint"],
      ["code", "varchar(8)"],
      ["folder", "integer"],
      ["file", "bigint"],
      ["remark", "integer"],
      ["token", "integer"],
    ]);
    expect(["serial", "bigserial", "smallserial", "uuid"].map(keyCastType)).toEqual([
      "integer",
      "bigint",
      "smallint",
      "uuid",
    ]);
    expect(trackTable(tags, { type: "tag" }).workspaceColumn).toBeNull();
  });

  it("reads a record key's id as everything after the first colon, whatever the key's type", () => {
    expect(parseRecordKey("tag:urgent.v2@team")).toEqual({ type: "tag", id: "urgent.v2@team" });
    expect(parseRecordKey("tag:a:b c")).toEqual({ type: "tag", id: "a:b c" });
    expect(parseRecordKey(`document:${ORG}`)).toEqual({ type: "document", id: ORG });
    for (const bad of ["tag", "tag:", ":1", "Tag:1", "tag:a\nb", "tag:\u0000", `tag:${"x".repeat(201)}`]) {
      expect(() => parseRecordKey(bad)).toThrow(/not a record reference/);
    }
  });
});
