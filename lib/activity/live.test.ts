import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDb, setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { ActivityError } from "./errors";
import { createLiveHub, FAN_OUT_SLICE, type LiveHub, type LiveLimits, parseLiveParams } from "./live";
import { readHead, sequenceOnce } from "./sequencer";
import { writeEvents } from "./testing/events";
import { notes } from "./testing/schema";
import { sequenceAll } from "./testing/sequence";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

let acme: { id: number; actor: Actor };
let globex: { id: number; actor: Actor };
let hub: LiveHub | undefined;

beforeEach(() => {
  acme = { id: 1, actor: { type: "user", id: "alice", name: "Alice", workspaceId: 1 } };
  globex = { id: 2, actor: { type: "user", id: "carol", name: "Carol", workspaceId: 2 } };
});

afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

const addNote = (who: { id: number; actor: Actor }, title: string) =>
  kit.withTracking(who.actor, "insert", `note ${title}`, (tx) => tx.insert(notes).values({ teamId: who.id, title }));

const sequenceRows = async () => {
  const result = await t.db.execute<{ workspace_id: string; seq: number; subject: string }>(
    sql`select s.workspace_id, s.seq::int as seq, e.subject from activity_sequence s join activity_events e on e.id = s.event_id order by s.workspace_id, s.seq`,
  );
  return Array.isArray(result) ? result : (result as unknown as { rows: [] }).rows;
};

/** A hub on the test database; `sequence: false` so the test runs the sequencer by hand. */
function startHub(limits?: LiveLimits): LiveHub {
  hub = createLiveHub({
    db: () => t.db,
    listen: (channel, onMessage, onReconnect) => t.handle.listen(channel, onMessage, onReconnect),
    toItems: kit.toItems,
    sequence: false,
    pollMs: 60_000,
    limits,
  });
  return hub;
}

/** Collects what a subscriber receives; `until(n)` waits for n items. */
function collector() {
  const items: { seq: number; subject: string; id: string }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    items,
    send(item: { seq: number; subject: string; id: string }) {
      items.push({ seq: item.seq, subject: item.subject, id: item.id });
      for (const w of waiters.filter((w) => items.length >= w.n)) w.resolve();
    },
    until(n: number, timeoutMs = 5_000) {
      if (items.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiters.push({ n, resolve });
        setTimeout(() => reject(new Error(`received ${items.length} of ${n}: ${JSON.stringify(items)}`)), timeoutMs);
      });
    },
  };
}

describe("the sequencer", () => {
  it("numbers committed events per workspace, in order, and only once", async () => {
    await addNote(acme, "a1");
    await addNote(globex, "g1");
    await addNote(acme, "a2");
    expect(await sequenceOnce(t.db)).toEqual({ [String(acme.id)]: 2, [String(globex.id)]: 1 });
    expect(await sequenceOnce(t.db)).toEqual({});
    await addNote(acme, "a3");
    expect(await sequenceOnce(t.db)).toEqual({ [String(acme.id)]: 3 });
    expect(
      (await sequenceRows())
        .map((r) => `${r.workspace_id === String(acme.id) ? "acme" : "globex"} ${r.seq} ${r.subject}`)
        .sort(),
    ).toEqual(["acme 1 note a1", "acme 2 note a2", "acme 3 note a3", "globex 1 note g1"]);
    expect(await readHead(t.db, String(acme.id))).toBe(3);
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    "gives a transaction that commits late a later number than one that committed first (server only: PGlite holds one transaction at a time)",
    async () => {
      const other = await openTestDb({ database: "kit" });
      try {
        let release!: () => void;
        const held = new Promise<void>((r) => {
          release = r;
        });
        let started!: () => void;
        const begun = new Promise<void>((r) => {
          started = r;
        });
        // A change outside withTracking: its trigger inserts the event at once, so it takes the smaller
        // event id; then the transaction waits before committing.
        const slow = other.db.transaction(async (tx) => {
          await tx.insert(notes).values({ teamId: acme.id, title: "slow" });
          started();
          await held;
        });
        await begun;
        await addNote(acme, "fast");
        await sequenceOnce(t.db);
        release();
        await slow;
        await sequenceOnce(t.db);
        const rows = await sequenceRows();
        expect(rows.map((r) => [r.seq, r.subject])).toEqual([
          [1, "note fast"],
          [2, "note slow"],
        ]);
        const ids = await t.db.execute<{ subject: string; id: number }>(
          sql`select subject, id::int from activity_events order by id`,
        );
        const byId = (Array.isArray(ids) ? ids : (ids as unknown as { rows: { subject: string }[] }).rows).map(
          (r) => r.subject,
        );
        expect(byId).toEqual(["note slow", "note fast"]);
      } finally {
        await other.close();
      }
    },
  );
});

describe("the live hub", () => {
  it("sends a subscriber the events after its position, filtered, each once, and live ones as they come", async () => {
    await addNote(acme, "old");
    await sequenceOnce(t.db);
    const live = startHub();
    const all = collector();
    const created = collector();
    await live.subscribe({ workspaceId: String(acme.id), filters: {}, after: 0, send: all.send, close() {} });
    await live.subscribe({
      workspaceId: String(acme.id),
      filters: { action: "note.closed" },
      after: null,
      send: created.send,
      close() {},
    });
    await all.until(1);
    expect(all.items.map((i) => i.subject)).toEqual(["note old"]);

    await addNote(acme, "new");
    await addNote(globex, "elsewhere");
    await sequenceOnce(t.db);
    await all.until(2);
    expect(all.items.map((i) => [i.seq, i.subject])).toEqual([
      [1, "note old"],
      [2, "note new"],
    ]);
    expect(created.items).toEqual([]);
  });

  it("resumes a reconnecting subscriber after its last seq, without loss or repeats", async () => {
    const live = startHub();
    const first = collector();
    const unsubscribe = await live.subscribe({
      workspaceId: String(acme.id),
      filters: {},
      after: null,
      send: first.send,
      close() {},
    });
    await addNote(acme, "one");
    await sequenceOnce(t.db);
    await first.until(1);
    unsubscribe();
    // Disconnected: two more events happen.
    await addNote(acme, "two");
    await addNote(acme, "three");
    await sequenceOnce(t.db);
    const second = collector();
    await live.subscribe({
      workspaceId: String(acme.id),
      filters: {},
      after: first.items.at(-1)!.seq,
      send: second.send,
      close() {},
    });
    await addNote(acme, "four");
    await sequenceOnce(t.db);
    await second.until(3);
    expect(second.items.map((i) => i.subject)).toEqual(["note two", "note three", "note four"]);
    expect(new Set(second.items.map((i) => i.id)).size).toBe(3);
  });

  it("never sends a workspace's events to another workspace's subscriber", async () => {
    const live = startHub();
    const carol = collector();
    const alice = collector();
    await live.subscribe({ workspaceId: String(globex.id), filters: {}, after: null, send: carol.send, close() {} });
    await live.subscribe({ workspaceId: String(acme.id), filters: {}, after: null, send: alice.send, close() {} });
    await addNote(acme, "acme secret");
    await sequenceOnce(t.db);
    await alice.until(1);
    expect(carol.items).toEqual([]);
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    "delivers an event written through one instance to a subscriber of another (server only)",
    async () => {
      // Two "instances": separate connections, separate hubs; only A sequences.
      const other = await openTestDb({ database: "kit" });
      const a = createLiveHub({
        db: () => t.db,
        listen: (c, m, r) => t.handle.listen(c, m, r),
        toItems: kit.toItems,
        sequence: true,
        pollMs: 60_000,
      });
      const b = createLiveHub({
        db: () => other.db,
        listen: (c, m, r) => other.listen(c, m, r),
        toItems: fixtureKit(() => other.db).toItems,
        sequence: false,
        pollMs: 60_000,
      });
      try {
        await a.start();
        const received = collector();
        await b.subscribe({ workspaceId: String(acme.id), filters: {}, after: null, send: received.send, close() {} });
        await addNote(acme, "through A");
        await received.until(1);
        expect(received.items.map((i) => i.subject)).toEqual(["note through A"]);
      } finally {
        await a.stop();
        await b.stop();
        await other.close();
      }
    },
  );

  it("closes every stream on shutdown, and refuses new ones", async () => {
    const live = startHub();
    let closed = 0;
    await live.subscribe({ workspaceId: String(acme.id), filters: {}, after: null, send() {}, close: () => closed++ });
    await live.subscribe({
      workspaceId: String(globex.id),
      filters: {},
      after: null,
      send() {},
      close: () => closed++,
    });
    expect(live.subscriberCount).toBe(2);
    await live.shutdown();
    hub = undefined;
    expect(closed).toBe(2);
    expect(live.closing).toBe(true);
    await expect(
      live.subscribe({ workspaceId: String(acme.id), filters: {}, after: null, send() {}, close() {} }),
    ).rejects.toMatchObject({ code: "unavailable" });
  });
});

describe("the live hub's bounds", () => {
  const ws = () => String(acme.id);
  const frames = new TextDecoder();

  it("replays at most replayLimit events: past it, a reset at the head, then only live events", async () => {
    await writeEvents(t.db, ws(), 12, "missed");
    await sequenceAll(t.db);
    const live = startHub({ replayLimit: 10 });
    const behind = collector();
    const resets: number[] = [];
    await live.subscribe({
      workspaceId: ws(),
      filters: {},
      after: 1,
      send: behind.send,
      reset: (h) => resets.push(h),
      close() {},
    });
    expect(resets).toEqual([12]);
    expect(behind.items).toEqual([]);

    // Within the bound, the same position is replayed, once, without a reset.
    const near = collector();
    const nearResets: number[] = [];
    await live.subscribe({
      workspaceId: ws(),
      filters: {},
      after: 2,
      send: near.send,
      reset: (h) => nearResets.push(h),
      close() {},
    });
    await near.until(10);
    expect(near.items.map((i) => i.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(nearResets).toEqual([]);

    await addNote(acme, "after the reset");
    await sequenceOnce(t.db);
    await behind.until(1);
    expect(behind.items.map((i) => [i.seq, i.subject])).toEqual([[13, "note after the reset"]]);
  });

  it("does not read back what happened while a workspace had no subscriber", async () => {
    let itemsRead = 0;
    hub = createLiveHub({
      db: () => t.db,
      listen: (channel, onMessage, onReconnect) => t.handle.listen(channel, onMessage, onReconnect),
      toItems: (rows, options) => {
        itemsRead += rows.length;
        return kit.toItems(rows, options);
      },
      sequence: false,
      pollMs: 60_000,
    });
    const live = hub;
    const unsubscribe = await live.subscribe({ workspaceId: ws(), filters: {}, after: null, send() {}, close() {} });
    unsubscribe();
    await writeEvents(t.db, ws(), 40, "while nobody watched");
    await sequenceAll(t.db);
    const got = collector();
    await live.subscribe({ workspaceId: ws(), filters: {}, after: null, send: got.send, close() {} });
    await addNote(acme, "watched");
    await sequenceOnce(t.db);
    await got.until(1);
    expect(got.items.map((i) => i.subject)).toEqual(["note watched"]);
    expect(itemsRead).toBe(1);
  });

  it("closes a subscriber that cannot take a reset instead of replaying past the bound", async () => {
    await writeEvents(t.db, ws(), 5);
    await sequenceAll(t.db);
    const live = startHub({ replayLimit: 4 });
    const got = collector();
    let closed = 0;
    await live.subscribe({ workspaceId: ws(), filters: {}, after: 0, send: got.send, close: () => closed++ });
    expect({ closed, items: got.items.length, open: live.subscriberCount }).toEqual({ closed: 1, items: 0, open: 0 });
  });

  it("refuses a viewer's stream past maxStreamsPerViewer with too_many_streams, and counts each viewer apart", async () => {
    const live = startHub({ maxStreamsPerViewer: 3 });
    const open = (owner: string) =>
      live.open({ workspaceId: ws(), owner, filters: {}, after: null, send() {}, close() {} });
    const alice = [open("user:alice"), open("user:alice"), open("user:alice")];
    expect(() => open("user:alice")).toThrow(expect.objectContaining({ code: "too_many_streams", status: 429 }));
    const carol = open("user:carol");
    await Promise.all([...alice, carol].map((s) => s.ready));
    expect(live.streamsOf("user:alice")).toBe(3);
    alice[0]!.end();
    expect(live.streamsOf("user:alice")).toBe(2);
    await open("user:alice").ready;
    expect(live.subscriberCount).toBe(4);
  });

  it("ends one owner's streams at once, in this hub and in another listening on the database", async () => {
    const live = startHub();
    const other = createLiveHub({
      db: () => t.db,
      listen: (channel, onMessage, onReconnect) => t.handle.listen(channel, onMessage, onReconnect),
      toItems: kit.toItems,
      sequence: false,
      pollMs: 60_000,
    });
    try {
      const closed: string[] = [];
      const open = (h: LiveHub, owner: string, label: string) =>
        h.subscribe({ workspaceId: ws(), owner, filters: {}, after: null, send() {}, close: () => closed.push(label) });
      await open(live, "user:alice", "alice here");
      await open(live, "user:bob", "bob here");
      await open(other, "user:alice", "alice there");
      expect(await live.endStreamsOf("user:alice")).toBe(1);
      expect(closed[0]).toBe("alice here");
      await expect.poll(() => other.streamsOf("user:alice")).toBe(0);
      expect(closed.sort()).toEqual(["alice here", "alice there"]);
      expect(live.streamsOf("user:bob")).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it("lets the event loop run between slices of a fan-out to many subscribers, and still reaches each once", async () => {
    const live = startHub();
    const count = FAN_OUT_SLICE * 2 + 50;
    const received: number[] = [];
    let turnRanAfter: number | undefined;
    for (let i = 0; i < count; i++) {
      await live.subscribe({
        workspaceId: ws(),
        filters: {},
        after: null,
        send: (item) => {
          received.push(item.seq);
          // Another request's turn, asked for when the fan-out begins: it runs once the fan-out yields.
          if (received.length === 1) setImmediate(() => (turnRanAfter = received.length));
        },
        close() {},
      });
    }
    await addNote(acme, "many");
    await sequenceOnce(t.db);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(count);
    expect(turnRanAfter).toBe(FAN_OUT_SLICE);
    expect(new Set(received)).toEqual(new Set([1]));
  }, 30_000);

  it("serialises an item once: every subscriber enqueues the same SSE frame", async () => {
    const live = startHub();
    const frames1: Uint8Array[] = [];
    const frames2: Uint8Array[] = [];
    await live.subscribe({ workspaceId: ws(), filters: {}, after: null, send: (_i, f) => frames1.push(f), close() {} });
    await live.subscribe({ workspaceId: ws(), filters: {}, after: null, send: (_i, f) => frames2.push(f), close() {} });
    await addNote(acme, "shared");
    await sequenceOnce(t.db);
    await expect.poll(() => frames2.length).toBe(1);
    expect(frames1[0]).toBe(frames2[0]);
    const text = frames.decode(frames1[0]);
    expect(text).toMatch(/^id: 1\nevent: activity\ndata: \{.*\}\n\n$/);
    expect(JSON.parse(text.split("\n")[2]!.slice("data: ".length))).toMatchObject({ seq: 1, subject: "note shared" });
  });
});

describe("stream parameters", () => {
  const actions = ["insert", "update", "delete", "revert", "note.closed"];
  it("takes after, or Last-Event-ID over it, and the feed's filters", () => {
    expect(parseLiveParams(new URLSearchParams("after=5&action=insert"), null, actions)).toEqual({
      after: 5,
      filters: { action: "insert" },
    });
    expect(parseLiveParams(new URLSearchParams("after=5"), "9", actions).after).toBe(9);
    expect(parseLiveParams(new URLSearchParams(""), null, actions).after).toBeNull();
  });
  it.each([
    ["after=-1", null, "after"],
    ["after=abc", null, "after"],
    ["", "x", "Last-Event-ID"],
    ["cursor=abc", null, "cursor"],
    ["limit=5", null, "limit"],
    ["action=nope", null, "action"],
  ])("refuses %s (Last-Event-ID %s)", (query, lastEventId, parameter) => {
    expect(() => parseLiveParams(new URLSearchParams(query), lastEventId, actions)).toThrow(ActivityError);
    try {
      parseLiveParams(new URLSearchParams(query), lastEventId, actions);
    } catch (error) {
      expect((error as ActivityError).parameter).toBe(parameter);
    }
  });
});
