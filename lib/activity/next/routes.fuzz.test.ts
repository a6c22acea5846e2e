import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setupTestDb } from "@/test/db";
import { type ActivityViewer, createActivityKit } from "../index";
import { members, notes } from "../testing/schema";
import { fixtureCatalogue, fixtureTables } from "../testing/tables";
import { createAuditRoute, createExportRoute, createFeedRoute, createRecordsRoute, createStreamRoute } from "./index";

// The attack suite's fuzzing of the four route factories (issue 13): any query string and any
// Last-Event-ID is a 200 or a 4xx with the error JSON, never a 500, and nothing is written. A real database
// under them; only `connection()`, which needs a running Next server's request scope, is replaced.
vi.mock("next/server", async (original) => ({ ...(await original<object>()), connection: async () => undefined }));

const t = setupTestDb({ database: "kit" });
const workspaceId = 7;
let admin: ActivityViewer;
const kit = createActivityKit({
  db: () => t.db,
  catalogue: fixtureCatalogue,
  tables: fixtureTables,
  secret: "fixture-secret-of-some-length",
  viewer: async () => admin,
});
const routes = {
  feed: createFeedRoute(kit),
  stream: createStreamRoute(kit),
  audit: createAuditRoute(kit),
  export: createExportRoute(kit),
  records: createRecordsRoute(kit),
};

// Enough runs to reach every parameter with every kind of value, few enough for CI (a few seconds a route).
const RUNS = Number(process.env.ATTACK_FUZZ_RUNS ?? 60);
const PARAMETERS = ["limit", "cursor", "record", "type", "actor", "action", "from", "to", "format", "after", "q"];
const tally = { requests: 0, statuses: new Map<number, number>() };

/** Values an attacker tries: near-valid ones, type confusion, encodings, huge and hostile strings. */
const hostile = fc.oneof(
  fc.constantFrom(
    "",
    "0",
    "-1",
    "1e3",
    "0x10",
    " 12 ",
    "9".repeat(400),
    "NaN",
    "Infinity",
    "null",
    "undefined",
    "[]",
    "{}",
    "__proto__",
    "constructor",
    "note:1",
    "note:",
    ":1",
    "note:1:2",
    `note:${"x".repeat(300)}`,
    "note:%00",
    "note:\u0000",
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "+275760-09-13T00:00:00Z",
    "2026-01-01T25:00",
    "insert",
    "task.cancelled",
    "csv",
    "json",
    "ndjson",
    "xml",
    "' or 1=1 --",
    "'; drop table activity_events; --",
    "<script>alert(1)</script>",
    "\\",
    "%",
    "\u202e\ud800",
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.base64String({ maxLength: 80 }),
);
const queryOf = fc
  .array(
    fc.tuple(
      // Mostly the parameters the routes know, so most queries get past "unknown parameter" to their parsers.
      fc.oneof(
        { arbitrary: fc.constantFrom(...PARAMETERS), weight: 4 },
        { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
      ),
      hostile,
    ),
    {
      maxLength: 5,
    },
  )
  .map((pairs) => {
    const search = new URLSearchParams();
    for (const [key, value] of pairs) search.append(key, value);
    return search;
  });

async function counts() {
  const [row] = await t.db
    .select({
      events: sql<number>`(select count(*)::int from activity_events)`,
      members: sql<number>`(select count(*)::int from ${members})`,
      notes: sql<number>`(select count(*)::int from ${notes})`,
    })
    .from(sql`(select 1) as one`);
  return row!;
}

/** Calls a route; a 200 stream is read for its first chunk and cancelled (it never ends by itself). */
async function attack(route: { GET(request: Request): Promise<Response> }, search: URLSearchParams, headers = {}) {
  const response = await route.GET(new Request(`http://localhost/api/x?${search}`, { headers }));
  tally.requests++;
  tally.statuses.set(response.status, (tally.statuses.get(response.status) ?? 0) + 1);
  if (response.status === 200) {
    if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
      const reader = response.body!.getReader();
      await reader.read();
      await reader.cancel();
    } else {
      await response.arrayBuffer();
    }
    return;
  }
  const body = await response.json();
  expect(response.status, `${search}: ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${search}: ${JSON.stringify(body)}`).toBeLessThan(500);
  expect(body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  expect(JSON.stringify(body), "no stack trace, no SQL").not.toMatch(
    /\n\s+at |\.tsx?:\d|\bselect\b.+\bfrom\b|postgres|pglite/i,
  );
}

beforeEach(async () => {
  const [person] = await t.db.insert(members).values({ name: "Fuzz admin" }).returning();
  const actor = { type: "user", id: person!.id, name: "Fuzz admin", workspaceId } as const;
  admin = { actor, workspaceId, canAudit: true };
  for (const title of ["one", "two", "three"]) {
    await kit.withTracking(actor, "insert", `note ${title}`, (tx) =>
      tx.insert(notes).values({ title, teamId: workspaceId }).returning(),
    );
  }
});

afterAll(() => {
  const statuses = [...tally.statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  const errors = [...tally.statuses].filter(([s]) => s >= 500).reduce((sum, [, n]) => sum + n, 0);
  console.log(`attack fuzz (route factories): ${tally.requests} requests, statuses ${statuses}, ${errors} 5xx`);
});

describe("fuzzing the route factories", () => {
  for (const name of ["feed", "audit", "export", "stream", "records"] as const) {
    it(`${name}: any query string is a 200 or a 4xx naming the problem, and writes nothing`, async () => {
      const before = await counts();
      await fc.assert(
        fc.asyncProperty(queryOf, (search) => attack(routes[name], search)),
        { numRuns: RUNS },
      );
      expect(await counts()).toEqual(before);
    });
  }

  it("stream: any Last-Event-ID header is a 200 or a 400 naming the header, and writes nothing", async () => {
    const before = await counts();
    await fc.assert(
      fc.asyncProperty(hostile, queryOf, async (lastEventId, search) => {
        // A header value cannot hold every string: what fetch would refuse to send is not an attack here.
        let headers: Headers;
        try {
          headers = new Headers({ "Last-Event-ID": lastEventId });
        } catch {
          return;
        }
        await attack(routes.stream, search, headers);
      }),
      { numRuns: RUNS },
    );
    expect(await counts()).toEqual(before);
  });
});
