import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import { listenThrough } from "./listen";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });

describe("the live hub's defaults", () => {
  // Through a transaction pooler LISTEN has no session to stay on: there the host passes `listen` (the
  // seam does, through the server's own URL), and this default does not apply.
  it.skipIf(Boolean(process.env.TEST_DATABASE_DIRECT_URL))(
    "LISTEN goes through the db's own client (postgres.js or PGlite) without a listen option",
    async () => {
      const received: string[] = [];
      let arrived: () => void = () => {};
      const done = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const unlisten = await listenThrough(t.db, "activity_listen_test", (payload) => {
        received.push(payload);
        arrived();
      });
      try {
        await t.db.execute(sql`select pg_notify('activity_listen_test', 'hello')`);
        await done;
        expect(received).toEqual(["hello"]);
      } finally {
        await unlisten();
      }
    },
  );

  it("refuses, as a programmer error, a client that cannot LISTEN", async () => {
    const db = { $client: {} } as unknown as AnyDatabase;
    const error = await listenThrough(db, "x", () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivityError);
    expect(error).toMatchObject({ code: "not_registered", status: 500 });
  });

  it("kit.live() is one hub per process, whichever copy of the seam asks", () => {
    const make = () => fixtureKit(() => t.db);
    const hub = make().live();
    expect(make().live()).toBe(hub);
    expect(hub.closing).toBe(false);
  });
});
