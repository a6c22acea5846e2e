import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { ActivityError } from "./errors";
import { folders, members, notes } from "./testing/schema";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);
const team = 7;
const otherTeam = 8;

let alice: Actor;

beforeEach(async () => {
  const [member] = await t.db.insert(members).values({ name: "Alice" }).returning();
  alice = { type: "user", id: member!.id, name: "Alice", workspaceId: team };
});

const search = (params: Record<string, string>, workspaceId: number = team) =>
  kit.searchRecords(workspaceId, new URLSearchParams(params));

async function note(title: string, teamId = team) {
  const actor = { ...alice, workspaceId: teamId };
  const [row] = await kit.withTracking(actor, "insert", `note ${title}`, (tx) =>
    tx.insert(notes).values({ teamId, title }).returning(),
  );
  return row!;
}

describe("searchRecords", () => {
  it("finds the workspace's records by a part of their name, each once, the most recently active first", async () => {
    const plan = await note("Launch plan");
    const other = await note("Budget");
    const review = await note("Review the launch");
    await kit.withTracking(alice, "update", "note Launch plan", (tx) =>
      tx.update(notes).set({ status: "closed" }).where(eq(notes.id, plan.id)),
    );
    const found = await search({ q: "LAUNCH" });
    expect(found).toEqual([
      { type: "note", id: String(plan.id), label: "Launch plan" },
      { type: "note", id: String(review.id), label: "Review the launch" },
    ]);
    expect(found.some((r) => r.id === String(other.id))).toBe(false);
  });

  it("finds a deleted record by its name as last recorded, and a renamed one by its former name", async () => {
    const gone = await note("Old roadmap");
    await kit.withTracking(alice, "delete", "note Old roadmap", (tx) => tx.delete(notes).where(eq(notes.id, gone.id)));
    const renamed = await note("Draft");
    await kit.withTracking(alice, "update", "note Final", (tx) =>
      tx.update(notes).set({ title: "Final" }).where(eq(notes.id, renamed.id)),
    );
    expect(await search({ q: "roadmap" })).toEqual([{ type: "note", id: String(gone.id), label: "Old roadmap" }]);
    // Found by the name it had, listed by the name it has.
    expect(await search({ q: "draft" })).toEqual([{ type: "note", id: String(renamed.id), label: "Final" }]);
  });

  it("matches a labelled record by its label, not by a subject that names another record", async () => {
    const [row] = await kit.withTracking(alice, "insert", "note about the Launch", (tx) =>
      tx.insert(notes).values({ teamId: team, title: "Minutes" }).returning(),
    );
    expect(await search({ q: "launch" })).toEqual([]);
    expect(await search({ q: "minutes" })).toEqual([{ type: "note", id: String(row!.id), label: "Minutes" }]);
  });

  it("finds a record of a type registered without a label by its events' subject", async () => {
    await t.db.execute(
      sql`insert into activity_events (workspace_id, actor_type, actor_label, action, subject, record_type, record_id)
          values (${String(team)}, 'system', 'Import', 'insert', 'invoice INV-7 imported', 'invoice', '7')`,
    );
    expect(await search({ q: "inv-7" })).toEqual([{ type: "invoice", id: "7", label: "invoice INV-7 imported" }]);
  });

  it("never returns another workspace's records", async () => {
    await note("Secret plan", otherTeam);
    const mine = await note("My plan");
    expect(await search({ q: "plan" })).toEqual([{ type: "note", id: String(mine.id), label: "My plan" }]);
  });

  it("narrows by type, stops at the limit and takes % and _ literally", async () => {
    for (const n of [1, 2, 3]) await note(`Sprint ${n}`);
    await kit.withTracking(alice, "insert", "folder Sprint folder", (tx) =>
      tx.insert(folders).values({ id: 1, teamId: team, name: "Sprint folder" }),
    );
    expect((await search({ q: "sprint" })).map((r) => r.type).sort()).toEqual(["folder", "note", "note", "note"]);
    expect((await search({ q: "sprint", type: "folder" })).map((r) => r.label)).toEqual(["Sprint folder"]);
    expect(await search({ q: "sprint", limit: "2" })).toHaveLength(2);
    expect(await search({ q: "%" })).toEqual([]);
    expect(await search({ q: "_" })).toEqual([]);
    await note("100% done");
    expect((await search({ q: "0%" })).map((r) => r.label)).toEqual(["100% done"]);
  });

  it("refuses bad input with an error naming the parameter", async () => {
    const cases: [Record<string, string> | string, string][] = [
      [{}, "q"],
      [{ q: "   " }, "q"],
      [{ q: "x".repeat(101) }, "q"],
      [{ q: "a", type: "Task!" }, "type"],
      [{ q: "a", limit: "0" }, "limit"],
      [{ q: "a", limit: "21" }, "limit"],
      [{ q: "a", limit: "1.5" }, "limit"],
      [{ q: "a", record: "note:1" }, "record"],
      ["q=a&q=b", "q"],
    ];
    for (const [params, parameter] of cases) {
      const error = await kit.searchRecords(team, new URLSearchParams(params)).catch((e: unknown) => e);
      expect(error, JSON.stringify(params)).toBeInstanceOf(ActivityError);
      expect((error as ActivityError).parameter, JSON.stringify(params)).toBe(parameter);
      expect((error as ActivityError).status).toBe(400);
    }
  });
});

describe("recordLabel", () => {
  it("is the record's name now, as last recorded when it is gone, and null for one never seen", async () => {
    const row = await note("Kept");
    expect(await kit.recordLabel({ type: "note", id: String(row.id) }, { workspaceId: team })).toBe("Kept");
    await kit.withTracking(alice, "delete", "note Kept", (tx) => tx.delete(notes).where(eq(notes.id, row.id)));
    expect(await kit.recordLabel({ type: "note", id: String(row.id) }, { workspaceId: team })).toBe("Kept");
    expect(await kit.recordLabel({ type: "note", id: String(row.id) }, { workspaceId: otherTeam })).toBeNull();
    expect(await kit.recordLabel({ type: "note", id: "999999" }, { workspaceId: team })).toBeNull();
  });
});
