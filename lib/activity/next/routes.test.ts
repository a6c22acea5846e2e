import { notFound } from "next/navigation";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setupTestDb } from "@/test/db";
import { ActivityError } from "../errors";
import { type ActivityViewer, createActivityKit } from "../index";
import { members } from "../testing/schema";
import { fixtureCatalogue, fixtureTables } from "../testing/tables";
import { createAuditRoute, createExportRoute, createFeedRoute, createStreamRoute } from "./index";

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

  it("answer 400 naming the parameter to bad input", async () => {
    viewer = async () => admin;
    const cases: [keyof typeof routes, string, string][] = [
      ["feed", "?limit=0", "limit"],
      ["feed", "?cursor=tampered", "cursor"],
      ["audit", "?from=2026-02-30", "from"],
      ["export", "?format=xml", "format"],
      ["export", "?cursor=x", "cursor"],
      ["stream", "?after=abc", "after"],
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
