import { sql } from "drizzle-orm";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { tasks } from "@/lib/db/schema";
import { testKit } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import type { Actor } from "./actor";
import { ActivityError } from "./errors";

const t = setupTestDb();
const kit = testKit(() => t.db);

let workspaceId: number;
let alice: Actor;

beforeEach(async () => {
  const { workspace, members } = await createWorkspace(t.db, "Acme");
  workspaceId = workspace.id;
  alice = { type: "user", id: members[0]!.id, name: "Alice", workspaceId };
});

/** Inserts events directly (fast, and with chosen timestamps: many share one). */
async function insertEvents(count: number, times: Date[], ws = workspaceId, action = "insert") {
  await t.db.execute(sql`
    insert into activity_events (workspace_id, occurred_at, actor_type, actor_id, actor_label, action, subject, record_type, record_id)
    select ${String(ws)}, (${JSON.stringify(times.map((d) => d.toISOString()))}::jsonb ->> ((g - 1) % ${times.length}))::timestamptz,
           'user', '999999', 'Synthetic', ${action}, 'synthetic ' || g, 'synthetic', g::text
      from generate_series(1, ${count}) as g`);
}

const page = (params: Record<string, string>, ws = workspaceId) => kit.feed(ws, new URLSearchParams(params));

async function readAll(params: Record<string, string>, between?: (pageNumber: number) => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 1000; n++) {
    const result = await page(cursor ? { ...params, cursor } : params);
    ids.push(...result.items.map((i) => i.id));
    cursor = result.nextCursor;
    if (!cursor) break;
    await between?.(n);
  }
  return ids;
}

async function expectedOrder(): Promise<string[]> {
  const rows = await t.db.execute<{ event_id: string }>(
    sql`select id::text as event_id from activity_events where workspace_id = ${String(workspaceId)} order by occurred_at desc, activity_events.id desc`,
  );
  return (Array.isArray(rows) ? rows : (rows as unknown as { rows: { event_id: string }[] }).rows).map(
    (r) => r.event_id,
  );
}

describe("feed pagination", () => {
  it("property: the pages concatenated equal the full ordered list, under ties and interleaved inserts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 5 }),
        async (count, distinctTimes, limit, arrivals) => {
          await t.db.execute(sql`select set_config('activity.maintenance', 'on', false)`);
          await t.db.execute(sql`delete from activity_events`);
          await t.db.execute(sql`select set_config('activity.maintenance', '', false)`);
          const base = Date.UTC(2026, 10, 1);
          await insertEvents(
            count,
            Array.from({ length: distinctTimes }, (_, i) => new Date(base + i * 1000)),
          );
          const before = await expectedOrder();
          // New events keep arriving while the reader pages (newer than everything: they belong before
          // the first page, so the pages must neither show them twice nor skip older ones for them).
          const ids = await readAll({ limit: String(limit) }, async (n) => {
            if (arrivals[n]) await insertEvents(arrivals[n]!, [new Date(Date.UTC(2026, 10, 2))]);
          });
          expect(ids).toEqual(before);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("is newest first, and the default page is 30", async () => {
    await insertEvents(45, [new Date("2026-11-01T10:00:00Z"), new Date("2026-11-02T10:00:00Z")]);
    const first = await page({});
    expect(first.items).toHaveLength(30);
    expect(first.items[0]!.occurredAt).toBe("2026-11-02T10:00:00.000Z");
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await page({ cursor: first.nextCursor! });
    expect(second.items).toHaveLength(15);
    expect(second.nextCursor).toBeNull();
  });

  it("filters by record (its own and related events), actor, action and dates", async () => {
    const task = await kit.withTracking(alice, "insert", "task T", async (tx) => {
      const [row] = await tx.insert(tasks).values({ workspaceId, title: "T" }).returning();
      return row!;
    });
    await kit.withTracking(alice, "insert", "comment about T", async () => ({ ok: true }), {
      record: { type: "comment", id: "5" },
      related: [{ type: "task", id: String(task.id) }],
    });
    await insertEvents(3, [new Date("2026-01-01T00:00:00Z")], workspaceId, "delete");

    expect((await page({ record: `task:${task.id}` })).items.map((i) => i.subject)).toEqual([
      "comment about T",
      "task T",
    ]);
    expect((await page({ record: "comment:5" })).items.map((i) => i.subject)).toEqual(["comment about T"]);
    expect((await page({ action: "delete" })).items).toHaveLength(3);
    expect((await page({ type: "synthetic" })).items).toHaveLength(3);
    expect((await page({ type: "comment" })).items.map((i) => i.subject)).toEqual(["comment about T"]);
    expect((await page({ actor: String((alice as { id: number }).id) })).items.map((i) => i.subject)).toEqual([
      "comment about T",
      "task T",
    ]);
    expect((await page({ from: "2025-12-31", to: "2026-01-01" })).items).toHaveLength(3);
    expect((await page({ from: "2025-12-31T23:59:59", to: "2026-01-01T00:00:01" })).items).toHaveLength(3);
    // Offsets: the same instant, written in two other zones, bounds the synthetic events exactly.
    expect((await page({ from: "2025-12-31T18:00:00-06:00", to: "2026-01-01T02:00:00+01:00" })).items).toHaveLength(3);
    expect((await page({ from: "2025-12-31T18:00:00.001-06:00", to: "2026-01-01T02:00:00+01:00" })).items).toHaveLength(
      0,
    );
    expect((await page({ to: "2025-12-31" })).items).toHaveLength(0);
  });

  it("is scoped to the workspace, and a cursor of one workspace or filter is refused for another", async () => {
    const other = await createWorkspace(t.db, "Globex");
    await insertEvents(5, [new Date()], other.workspace.id);
    await insertEvents(3, [new Date()]);
    expect((await page({})).items).toHaveLength(3);
    expect((await page({}, other.workspace.id)).items).toHaveLength(5);
    const { nextCursor } = await page({ limit: "2" }, other.workspace.id);
    await expect(page({ cursor: nextCursor! })).rejects.toMatchObject({ code: "invalid_cursor" });
    await expect(page({ cursor: nextCursor!, action: "insert" }, other.workspace.id)).rejects.toMatchObject({
      code: "invalid_cursor",
    });
  });

  it.each([
    [{ limit: "0" }, "limit"],
    [{ limit: "10000" }, "limit"],
    [{ limit: "ten" }, "limit"],
    [{ limit: "2.5" }, "limit"],
    [{ action: "task.exploded" }, "action"],
    [{ record: "task" }, "record"],
    [{ record: "task:" }, "record"],
    [{ record: "Task:1; drop table" }, "record"],
    [{ actor: "' or 1=1" }, "actor"],
    [{ type: "Task" }, "type"],
    [{ from: "yesterday" }, "from"],
    [{ to: "2026-13-45" }, "to"],
    [{ from: "2026-02-30" }, "from"],
    [{ from: "0000-01-01" }, "from"],
    [{ to: "9999-12-31" }, "to"],
    [{ from: "2026-02-29T10:00:00Z" }, "from"],
    [{ from: "2026-11-02", to: "2026-11-01" }, "to"],
    [{ cursor: "garbage" }, undefined],
    [{ colour: "red" }, "colour"],
  ])("refuses %o, naming the parameter", async (params, parameter) => {
    const error = await page(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivityError);
    expect((error as ActivityError).parameter).toBe(parameter);
    expect((error as ActivityError).message.length).toBeGreaterThan(10);
  });

  it("refuses a cursor that was edited", async () => {
    await insertEvents(5, [new Date()]);
    const { nextCursor } = await page({ limit: "2" });
    const [body, signature] = nextCursor!.split(".");
    const forged = Buffer.from(JSON.stringify([1, Date.now(), 999999])).toString("base64url");
    await expect(page({ cursor: `${forged}.${signature}` })).rejects.toMatchObject({ code: "invalid_cursor" });
    await expect(page({ cursor: `${body}.${signature!.slice(1)}A` })).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  it("says whether each record still exists and links to it", async () => {
    const task = await kit.withTracking(alice, "insert", "task T", async (tx) => {
      const [row] = await tx.insert(tasks).values({ workspaceId, title: "T" }).returning();
      return row!;
    });
    expect((await page({})).items[0]!.record).toEqual({
      type: "task",
      id: String(task.id),
      href: `/tasks/${task.id}`,
      exists: true,
    });
    await t.db.execute(sql`delete from tasks`);
    const items = (await page({})).items;
    expect(items.map((i) => [i.action, i.record?.exists])).toEqual([
      ["delete", false],
      ["insert", false],
    ]);
  });
});
