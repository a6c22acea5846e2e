import { notFound } from "next/navigation";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setupTestDb } from "@/test/db";
import { ActivityError } from "../errors";
import { type ActivityViewer, actorKey, createActivityKit } from "../index";
import { createLiveHub, type LiveHub, type LiveLimits } from "../live";
import { sequenceOnce } from "../sequencer";
import { writeEvents } from "../testing/events";
import { members, notes } from "../testing/schema";
import { sequenceAll } from "../testing/sequence";
import { fixtureCatalogue, fixtureTables } from "../testing/tables";
import { createAuditRoute, createExportRoute, createFeedRoute, createRecordsRoute, createStreamRoute } from "./index";

// `connection()` needs the request scope of a running Next server; everything else here is real.
vi.mock("next/server", async (original) => ({ ...(await original<object>()), connection: async () => undefined }));

const t = setupTestDb({ database: "kit" });
let viewer: () => Promise<ActivityViewer | null>;
const kit = createActivityKit({
  db: () => t.db,
  catalogue: fixtureCatalogue,
  tables: fixtureTables,
  secret: "fixture-secret-of-some-length",
  viewer: () => viewer(),
});
const routes = {
  feed: createFeedRoute(kit),
  stream: createStreamRoute(kit),
  audit: createAuditRoute(kit),
  export: createExportRoute(kit),
  records: createRecordsRoute(kit),
};

let member: ActivityViewer;
let admin: ActivityViewer;

beforeEach(async () => {
  const workspaceId = 7;
  const people = await t.db
    .insert(members)
    .values([{ name: "Acme admin" }, { name: "Acme member" }])
    .returning();
  const actor = (i: number) => ({ type: "user", id: people[i]!.id, name: "x", workspaceId }) as const;
  admin = { actor: actor(0), workspaceId, canAudit: true };
  member = { actor: actor(1), workspaceId, canAudit: false };
});

afterEach(() => vi.restoreAllMocks());

const get = (route: { GET(request: Request): Promise<Response> }, query = "", headers: HeadersInit = {}) =>
  route.GET(new Request(`http://localhost/api/x${query}`, { headers }));

async function errorOf(response: Response) {
  return { status: response.status, body: await response.json() };
}

describe("route factories", () => {
  it("answer 401 to a signed-out request, on every route", async () => {
    viewer = async () => null;
    for (const route of Object.values(routes)) {
      expect(await errorOf(await get(route))).toEqual({
        status: 401,
        body: { error: { code: "unauthorized", message: "Sign in to see this." } },
      });
    }
  });

  it("answer 403 on the audit routes to a viewer who may not audit, and serve them the feed", async () => {
    viewer = async () => member;
    for (const route of [routes.audit, routes.export]) {
      expect((await errorOf(await get(route))).status).toBe(403);
    }
    const feed = await get(routes.feed);
    expect(feed.status).toBe(200);
    expect(await feed.json()).toMatchObject({ items: [], nextCursor: null });
  });

  it("search the viewer's own workspace's records for every member, not only for auditors", async () => {
    await kit.withTracking(admin.actor, "insert", "note Launch plan", (tx) =>
      tx.insert(notes).values({ teamId: 7, title: "Launch plan" }).returning(),
    );
    await kit.withTracking({ ...admin.actor, workspaceId: 8 }, "insert", "note Other plan", (tx) =>
      tx.insert(notes).values({ teamId: 8, title: "Other plan" }).returning(),
    );
    viewer = async () => member;
    const response = await get(routes.records, "?q=plan");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(await response.json()).toEqual({
      records: [{ type: "note", id: expect.any(String), label: "Launch plan" }],
    });
  });

  it("answer 400 naming the parameter to bad input", async () => {
    viewer = async () => admin;
    const cases: [keyof typeof routes, string, string][] = [
      ["feed", "?limit=0", "limit"],
      ["feed", "?cursor=tampered", "cursor"],
      ["audit", "?from=2026-02-30", "from"],
      ["export", "?format=xml", "format"],
      ["export", "?cursor=x", "cursor"],
      ["stream", "?after=abc", "after"],
      ["records", "", "q"],
      ["records", "?q=plan&limit=50", "limit"],
      ["records", "?q=plan&record=note:1", "record"],
    ];
    for (const [name, query, parameter] of cases) {
      const { status, body } = await errorOf(await get(routes[name], query));
      expect({ name, query, status, parameter: body.error.parameter }).toEqual({ name, query, status: 400, parameter });
      expect(body.error.message).toEqual(expect.any(String));
    }
    const lastEventId = await errorOf(await get(routes.stream, "", { "Last-Event-ID": "x" }));
    expect(lastEventId.body.error.parameter).toBe("Last-Event-ID");
  });

  it("serve the audit log and its export to a viewer who may audit", async () => {
    viewer = async () => admin;
    expect((await get(routes.audit)).status).toBe(200);
    const csv = await get(routes.export, "?format=csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="activity-\d+-[\d-]+\.csv"$/);
    expect(await csv.text()).toMatch(/^occurred_at|^\w/);
  });

  it("answer a programmer error with a logged 500 that tells the user nothing of it", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    viewer = async () => {
      throw new ActivityError("no_actor", "An actor needs the workspace it acts in.");
    };
    const { status, body } = await errorOf(await get(routes.feed));
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: "internal", message: "Something went wrong on our side." } });
    expect(log).toHaveBeenCalledWith("activity:", expect.objectContaining({ code: "no_actor" }));
  });

  it("rethrow Next's own control flow instead of answering it", async () => {
    viewer = async () => notFound();
    await expect(get(routes.audit)).rejects.toThrow();
  });
});

describe("the stream route", () => {
  let hub: LiveHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  /** The real route on a hub of its own with these bounds (the kit's global hub keeps its defaults). */
  function streamRoute(limits: LiveLimits) {
    const live = createLiveHub({
      db: () => t.db,
      listen: (channel, onMessage, onReconnect) => t.handle.listen(channel, onMessage, onReconnect),
      toItems: kit.toItems,
      sequence: false,
      pollMs: 60_000,
      limits,
    });
    hub = live;
    return { live, route: createStreamRoute({ ...kit, live: () => live }) };
  }

  /** Reads the event stream until `done(text so far)` or its end; `ended` says which. */
  async function readUntil(response: Response, done: (text: string) => boolean) {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      if (done(text)) {
        reader.releaseLock();
        return { text, ended: false };
      }
      const { value, done: end } = await reader.read();
      if (end) return { text, ended: true };
      text += decoder.decode(value, { stream: true });
    }
  }

  const note = (title: string) =>
    kit.withTracking(member.actor, "insert", `note ${title}`, (tx) => tx.insert(notes).values({ teamId: 7, title }));

  it("sends a reset at the head instead of replaying more than replayLimit, then live events", async () => {
    viewer = async () => member;
    await writeEvents(t.db, "7", 8, "old");
    await sequenceAll(t.db);
    const { route, live } = streamRoute({ replayLimit: 5 });
    const response = await get(route, "?after=0");
    expect(response.status).toBe(200);
    const reset = await readUntil(response, (text) => text.includes("event: reset"));
    await expect.poll(() => live.subscriberCount).toBe(1);
    await note("live one");
    await sequenceOnce(t.db);
    const rest = await readUntil(response, (text) => text.includes("note live one"));
    const text = reset.text + rest.text;
    expect(text).toContain('id: 8\nevent: reset\ndata: {"head":8,"reason":"replay_limit"}\n\n');
    expect(text).not.toContain("old ");
    expect(text).toMatch(/id: 9\nevent: activity\ndata: \{.*"subject":"note live one"/);
  });

  it("drops a client that does not read with a reset once maxBufferedBytes are unread, holding no more", async () => {
    viewer = async () => member;
    const maxBufferedBytes = 4_000;
    const { route, live } = streamRoute({ maxBufferedBytes });
    const response = await get(route);
    await readUntil(response, (text) => text.includes(": live\n"));
    // Nothing reads the body from here: each event is about 700 bytes, so 20 of them overflow the bound.
    await writeEvents(t.db, "7", 20, "unread");
    await sequenceAll(t.db);
    await expect.poll(() => live.subscriberCount).toBe(0);
    const { text, ended } = await readUntil(response, () => false);
    expect(ended).toBe(true);
    const frames = text.trimEnd().split("\n\n");
    expect(frames.at(-1)).toMatch(/^id: \d+\nevent: reset\ndata: \{"head":\d+,"reason":"slow_client"\}$/);
    const delivered = frames.filter((f) => f.includes("event: activity"));
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(20);
    expect(new TextEncoder().encode(text).byteLength - frames.at(-1)!.length).toBeLessThanOrEqual(maxBufferedBytes);
  });

  it("sends the events of one sequencer batch to a stream as one chunk, in order", async () => {
    viewer = async () => member;
    const { route } = streamRoute({});
    const response = await get(route);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let opened = "";
    while (!opened.includes(": live\n")) opened += decoder.decode((await reader.read()).value, { stream: true });
    await writeEvents(t.db, "7", 6, "batch");
    await sequenceAll(t.db);
    // Each chunk costs Next's response pipe a read, a write and their promises: one per batch, not per event.
    const chunk = decoder.decode((await reader.read()).value);
    const seqs = [...chunk.matchAll(/^id: (\d+)\nevent: activity$/gm)].map((m) => Number(m[1]));
    expect(seqs).toHaveLength(6);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await reader.cancel();
  });

  it("releases the place of a client that left before the stream was answered", async () => {
    const { route, live } = streamRoute({ maxStreamsPerViewer: 2 });
    let leave!: () => void;
    const left = new AbortController();
    // The client hangs up while the viewer is still being read, as a navigating browser does.
    viewer = () =>
      new Promise((resolve) => {
        leave = () => {
          left.abort();
          resolve(member);
        };
      });
    const answered = route.GET(new Request("http://localhost/api/x", { signal: left.signal }));
    await expect.poll(() => typeof leave).toBe("function");
    leave();
    await answered;
    await expect.poll(() => live.streamsOf(actorKey(member.actor))).toBe(0);
    viewer = async () => member;
    const open = [await get(route), await get(route)];
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    for (const response of open) await response.body!.cancel();
  });

  it("answers 429 too_many_streams past maxStreamsPerViewer, per viewer, until one closes", async () => {
    const { route, live } = streamRoute({ maxStreamsPerViewer: 2 });
    viewer = async () => member;
    const open = [await get(route), await get(route)];
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    const refused = await get(route);
    expect(await errorOf(refused)).toEqual({
      status: 429,
      body: { error: { code: "too_many_streams", message: expect.stringContaining("At most 2 live streams") } },
    });
    viewer = async () => admin;
    expect((await get(route)).status).toBe(200);
    viewer = async () => member;
    await open[0]!.body!.cancel();
    expect(live.streamsOf(actorKey(member.actor))).toBe(1);
    expect((await get(route)).status).toBe(200);
  });

  it.each([
    ["signs out", () => null],
    ["is in another workspace", () => ({ ...member, workspaceId: 8 })],
    ["became another user", () => admin],
  ])("ends the stream when the re-read viewer %s", async (_case, next) => {
    const { route, live } = streamRoute({ recheckViewerMs: 20 });
    let reads = 0;
    viewer = async () => {
      reads++;
      return member;
    };
    const response = await get(route);
    await expect.poll(() => reads).toBeGreaterThan(3);
    expect(live.subscriberCount).toBe(1);
    viewer = async () => next();
    expect((await readUntil(response, () => false)).ended).toBe(true);
    expect(live.subscriberCount).toBe(0);
  });

  it("re-reads the viewer through the kit's recheckViewer when it has one, and ends the stream on its answer", async () => {
    const { live } = streamRoute({ recheckViewerMs: 20 });
    let rechecks = 0;
    let recheck: ActivityViewer | null = member;
    const route = createStreamRoute({
      ...kit,
      live: () => live,
      recheckViewer: async () => {
        rechecks++;
        return recheck;
      },
    });
    let reads = 0;
    viewer = async () => {
      reads++;
      return member;
    };
    const response = await get(route);
    await expect.poll(() => rechecks).toBeGreaterThan(3);
    // The request itself read the viewer once; every re-read since went through recheckViewer.
    expect(reads).toBe(1);
    recheck = null;
    expect((await readUntil(response, () => false)).ended).toBe(true);
    expect(live.subscriberCount).toBe(0);
  });

  it("ends a viewer's streams on endStreamsOf (sign-out), and no one else's", async () => {
    const { route, live } = streamRoute({});
    viewer = async () => member;
    const mine = await get(route);
    viewer = async () => admin;
    const theirs = await get(route);
    await expect.poll(() => live.subscriberCount).toBe(2);
    expect(await live.endStreamsOf(actorKey(member.actor))).toBe(1);
    expect((await readUntil(mine, () => false)).ended).toBe(true);
    expect(live.streamsOf(actorKey(admin.actor))).toBe(1);
    await theirs.body!.cancel();
  });
});
