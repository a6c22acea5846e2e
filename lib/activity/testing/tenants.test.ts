import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "../actor";
import { createLiveHub } from "../live";
import { activityEvents } from "../schema";
import { readHead, sequenceOnce } from "../sequencer";
import { triggerArguments } from "../sql";
import { workspaceKey } from "../workspace";
import { documents, items, notes, tags } from "./schema";
import { sequenceAll } from "./sequence";
import { fixtureKit, fixtureTables } from "./tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

const ORG_A = "6c1f1c8e-3b7a-4d2e-9f3a-0a1b2c3d4e5f";
const ORG_B = "f2e4d6c8-1a3b-4c5d-8e7f-9a0b1c2d3e4f";

const eventsOf = (type: string) =>
  t.db.select().from(activityEvents).where(eq(activityEvents.recordType, type)).orderBy(activityEvents.id);

describe("a single-tenant app (no tenant column, actors without a workspace)", () => {
  const ada: Actor = { type: "user", id: "ada", name: "Ada" };

  it("stores events with workspace '', and reads them without a workspace", async () => {
    const tag = await kit.withTracking(ada, "insert", "tag urgent", async (tx) => {
      const [row] = await tx.insert(tags).values({ id: "urgent", name: "Urgent" }).returning();
      return row!;
    });
    await kit.withTracking({ type: "system" }, "update", "tag renamed", (tx) =>
      tx.update(tags).set({ name: "Very urgent" }).where(eq(tags.id, "urgent")),
    );
    await t.db.execute(sql`insert into tags (id, name) values ('later', 'Later')`);
    expect((await eventsOf("tag")).map((e) => [e.subject, e.workspaceId, e.actorLabel, e.unattributed])).toEqual([
      ["tag urgent", "", "Ada", false],
      ["tag renamed", "", "System", false],
      ["tag Later", "", expect.any(String), true],
    ]);

    expect(await sequenceOnce(t.db)).toEqual({ "": 3 });
    expect(await readHead(t.db, "")).toBe(3);

    const ref = { type: "tag", id: tag.id };
    expect((await kit.history(ref)).map((e) => e.subject)).toEqual(["tag urgent", "tag renamed"]);
    expect(await kit.isTracked(ref)).toBe(true);
    for (const workspaceId of [null, undefined]) {
      const page = await kit.feed(workspaceId, new URLSearchParams({ record: "tag:urgent" }));
      expect(page.items.map((i) => [i.subject, i.record?.exists])).toEqual([
        ["tag renamed", true],
        ["tag urgent", true],
      ]);
    }
    expect(await kit.asOf(ref, new Date())).toEqual({ status: "exists", row: { id: "urgent", name: "Very urgent" } });

    const [created] = await kit.history(ref);
    const reverted = await kit.revert(ada, created!.id, { force: true });
    expect(reverted).toMatchObject({ ok: true });
    expect(await t.db.select().from(tags).where(eq(tags.id, "urgent"))).toEqual([]);
    expect((await eventsOf("tag")).at(-1)).toMatchObject({ action: "revert", workspaceId: "", actorLabel: "Ada" });
  });

  it("streams them live to a subscriber of workspace ''", async () => {
    const hub = createLiveHub({
      db: () => t.db,
      listen: (channel, onMessage, onReconnect) => t.handle.listen(channel, onMessage, onReconnect),
      toItems: kit.toItems,
      sequence: false,
      pollMs: 60_000,
    });
    try {
      const received: string[] = [];
      let arrived!: () => void;
      const done = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      await hub.subscribe({
        workspaceId: workspaceKey(null),
        filters: {},
        after: null,
        send: (item) => {
          received.push(item.subject);
          arrived();
        },
        close() {},
      });
      await kit.withTracking(ada, "insert", "tag live", (tx) => tx.insert(tags).values({ id: "live", name: "Live" }));
      await sequenceOnce(t.db);
      await done;
      expect(received).toEqual(["tag live"]);
    } finally {
      await hub.stop();
    }
  });

  it("registers the table with an empty tenant argument for its triggers", () => {
    const registration = fixtureTables.find((table) => table.type === "tag")!;
    expect(registration.workspaceColumn).toBeNull();
    expect(triggerArguments(registration)).toEqual(["tag", "id", "", "name", "{}", "{}"]);
  });
});

describe("tenant columns of any name and type", () => {
  it("keep uuid organisations (org_id) apart in every read and in revert", async () => {
    const alice: Actor = { type: "user", id: "alice", name: "Alice", workspaceId: ORG_A };
    const bob: Actor = { type: "user", id: "bob", name: "Bob", workspaceId: ORG_B };
    const doc = await kit.withTracking(alice, "insert", "document plan", async (tx) => {
      const [row] = await tx.insert(documents).values({ orgId: ORG_A, title: "Plan" }).returning();
      return row!;
    });
    const ref = { type: "document", id: doc.id };
    const [event] = await eventsOf("document");
    expect(event!.workspaceId).toBe(ORG_A);

    expect(await kit.history(ref, { workspaceId: ORG_A })).toHaveLength(1);
    expect(await kit.history(ref, { workspaceId: ORG_B })).toEqual([]);
    expect(await kit.history(ref)).toEqual([]);
    await sequenceAll(t.db);
    expect((await kit.feed(ORG_B, new URLSearchParams())).items).toEqual([]);
    expect((await kit.feed(ORG_A, new URLSearchParams())).items.map((i) => i.subject)).toEqual(["document plan"]);
    expect((await kit.asOf(ref, new Date(), { workspaceId: ORG_A })).status).toBe("exists");
    expect(await kit.asOf(ref, new Date(), { workspaceId: ORG_B })).toEqual({ status: "not_yet" });
    expect(await kit.revert(bob, event!.id)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await t.db.select().from(documents)).toHaveLength(1);
  });

  it("file a change made outside withTracking under the row's tenant, whatever the column's type", async () => {
    await t.db.insert(notes).values({ teamId: 8, title: "raw" });
    await t.db.insert(items).values({ accountId: "globex", name: "widget" });
    await t.db.insert(documents).values({ orgId: ORG_B, title: "memo" });
    const events = await t.db
      .select()
      .from(activityEvents)
      .where(eq(activityEvents.unattributed, true))
      .orderBy(activityEvents.id);
    expect(events.map((e) => [e.recordType, e.workspaceId])).toEqual([
      ["note", "8"],
      ["item", "globex"],
      ["document", ORG_B],
    ]);
    await sequenceAll(t.db);
    expect((await kit.feed(8, new URLSearchParams())).items.map((i) => i.subject)).toEqual(["note raw"]);
    expect((await kit.feed("globex", new URLSearchParams())).items.map((i) => i.subject)).toEqual(["item widget"]);
  });

  it("a table without a tenant in a multi-tenant app: its events belong to the acting workspace", async () => {
    const team7: Actor = { type: "user", id: "u7", name: "Seven", workspaceId: 7 };
    const team8: Actor = { type: "user", id: "u8", name: "Eight", workspaceId: 8 };
    await kit.withTracking(team7, "insert", "tag shared", (tx) => tx.insert(tags).values({ id: "shared", name: "S" }));
    await kit.withTracking(team8, "update", "tag renamed", (tx) =>
      tx.update(tags).set({ name: "S2" }).where(eq(tags.id, "shared")),
    );
    const ref = { type: "tag", id: "shared" };
    expect((await kit.history(ref, { workspaceId: 7 })).map((e) => e.subject)).toEqual(["tag shared"]);
    expect((await kit.history(ref, { workspaceId: 8 })).map((e) => e.subject)).toEqual(["tag renamed"]);
    // The row is no tenant's: each workspace reads it, and reverts its own events on it.
    expect(await kit.asOf(ref, new Date(), { workspaceId: 8 })).toMatchObject({ status: "exists" });
    const [renamed] = await t.db
      .select()
      .from(activityEvents)
      .where(and(eq(activityEvents.subject, "tag renamed"), eq(activityEvents.workspaceId, "8")));
    expect(await kit.revert(team7, renamed!.id)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await kit.revert(team8, renamed!.id)).toMatchObject({ ok: true });
    expect(await t.db.select().from(tags)).toEqual([{ id: "shared", name: "S" }]);
  });
});
