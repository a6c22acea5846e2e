import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DbHandle, rowsOf } from "@/lib/db/client";
import { projects, type Task, tasks } from "@/lib/db/schema";
import { allEvents, testKit } from "@/test/activity";
import { openTestDb, setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import type { Actor } from "./actor";
import type { AnyDatabase } from "./database";
import { sequenceOnce } from "./sequencer";

/**
 * withTracking inside withTracking (or inside the host's own transaction) joins the transaction it is
 * called in: the inner action runs in a savepoint and stores its own event there.
 *
 * Before nesting worked, several of these hung: the inner action waited for a lock (or a connection) its
 * own caller held. The timeouts below only turn such a hang into a failure.
 */
const HANG = { timeout: 20_000 };

const t = setupTestDb();
const kit = testKit(() => t.db);

let alice: Actor & { type: "user" };
let bob: Actor & { type: "user" };
let workspaceId: number;

beforeEach(async () => {
  const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin", "member"]);
  workspaceId = workspace.id;
  alice = { type: "user", id: members[0]!.id, name: "Alice Adams", workspaceId };
  bob = { type: "user", id: members[1]!.id, name: "Bob Brown", workspaceId };
});

type Tx = Parameters<Parameters<typeof kit.withTracking>[3]>[0];

const insertTask = async (tx: Tx, title: string) => {
  const [task] = await tx.insert(tasks).values({ workspaceId, title }).returning();
  return task!;
};
const rename = (tx: Tx, id: number, title: string) => tx.update(tasks).set({ title }).where(eq(tasks.id, id));
const titles = async () => (await t.db.select({ title: tasks.title }).from(tasks)).map((r) => r.title).sort();
const changedTitles = (event: { changes: { op: string; row?: unknown; changes?: unknown }[] }) =>
  event.changes.map((c) =>
    c.op === "insert" ? (c.row as { title: string }).title : (c.changes as { title: [string, string] }).title[1],
  );

/** The actor settings database code sees right now, in the transaction `tx` runs in. */
const settingsIn = async (tx: Tx) => {
  const [row] = rowsOf<{ label: string; id: string; mode: string }>(
    await tx.execute(sql`select current_setting('activity.actor_label', true) as label,
      current_setting('activity.actor_id', true) as id, current_setting('activity.mode', true) as mode`),
  );
  return row!;
};

class Boom extends Error {}

describe("withTracking inside withTracking", () => {
  it("changes the outer's own row without waiting for itself (it used to deadlock)", HANG, async () => {
    const task = await kit.withTracking(alice, "insert", "task Draft", (tx) => insertTask(tx, "Draft"));
    await kit.withTracking(alice, "update", "task Outer", async (tx) => {
      await rename(tx, task.id, "Outer");
      await kit.withTracking(bob, "update", "task Inner", (inner) => rename(inner, task.id, "Inner"));
    });
    expect(await titles()).toEqual(["Inner"]);
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, changedTitles(e)])).toEqual([
      ["task Draft", "Alice Adams", ["Draft"]],
      ["task Outer", "Alice Adams", ["Outer"]],
      ["task Inner", "Bob Brown", ["Inner"]],
    ]);
  });

  it("stores each action's own event: its actor, action and only the changes made inside it", HANG, async () => {
    const outerResult = await kit.withTracking(
      alice,
      "insert",
      (task: Task) => `task ${task.title}`,
      async (tx) => {
        const before = await insertTask(tx, "Outer before");
        const inner = await kit.withTracking(
          bob,
          "task.cancelled",
          "task Inner",
          async (itx) => {
            const created = await insertTask(itx, "Inner");
            await itx.update(tasks).set({ status: "cancelled" }).where(eq(tasks.id, created.id));
            return created;
          },
          { metadata: { reason: "not needed" } },
        );
        expect(inner.title).toBe("Inner");
        await insertTask(tx, "Outer after");
        return before;
      },
    );
    expect(outerResult.title).toBe("Outer before");
    const events = await allEvents(t.db);
    expect(events).toHaveLength(2);
    const outer = events.find((e) => e.actorLabel === "Alice Adams")!;
    const inner = events.find((e) => e.actorLabel === "Bob Brown")!;
    expect(outer).toMatchObject({ action: "insert", subject: "task Outer before", actorId: String(alice.id) });
    expect(changedTitles(outer)).toEqual(["Outer before", "Outer after"]);
    expect(inner).toMatchObject({
      action: "task.cancelled",
      subject: "task Inner",
      actorId: String(bob.id),
      metadata: { reason: "not needed" },
    });
    expect(inner.changes.map((c) => c.op)).toEqual(["insert", "update"]);
    expect(inner.txId).toBe(outer.txId);
  });

  it("shows database code the inner's actor inside it and the outer's again after it", HANG, async () => {
    const seen: string[] = [];
    await kit.withTracking(alice, "insert", "task Outer", async (tx) => {
      seen.push((await settingsIn(tx)).label);
      await kit.withTracking(bob, "insert", "task Inner", async (inner) => {
        seen.push((await settingsIn(inner)).label);
        return insertTask(inner, "Inner");
      });
      seen.push((await settingsIn(tx)).label);
      // After an inner action that failed (its savepoint rolled back) too.
      await kit
        .withTracking(bob, "insert", "task Failed", async (inner) => {
          await insertTask(inner, "Failed");
          throw new Boom();
        })
        .catch(() => {});
      seen.push((await settingsIn(tx)).label);
      return insertTask(tx, "Outer");
    });
    expect(seen).toEqual(["Alice Adams", "Bob Brown", "Alice Adams", "Alice Adams"]);
    expect(await titles()).toEqual(["Inner", "Outer"]);
  });

  it(
    "rolls back a failed inner action (thrown or { ok: false }), its changes and its event, and the outer goes on",
    HANG,
    async () => {
      await kit.withTracking(alice, "insert", "task Outer", async (tx) => {
        await insertTask(tx, "Outer");
        await expect(
          kit.withTracking(bob, "insert", "task Thrown", async (inner) => {
            await insertTask(inner, "Thrown");
            throw new Boom("inner failed");
          }),
        ).rejects.toBeInstanceOf(Boom);
        const failure = await kit.withTracking(bob, "insert", "task Refused", async (inner) => {
          await insertTask(inner, "Refused");
          return { ok: false as const, reason: "refused" };
        });
        expect(failure).toEqual({ ok: false, reason: "refused" });
        // A statement that fails inside the inner action leaves the outer transaction usable.
        await expect(
          kit.withTracking(bob, "insert", "task Invalid", (inner) =>
            inner.execute(sql`insert into tasks (workspace_id, title) values (-1, 'Invalid')`),
          ),
        ).rejects.toThrow();
        await insertTask(tx, "Outer after");
        return { ok: true as const };
      });
      expect(await titles()).toEqual(["Outer", "Outer after"]);
      const events = await allEvents(t.db);
      expect(events.map((e) => [e.subject, changedTitles(e)])).toEqual([["task Outer", ["Outer", "Outer after"]]]);
    },
  );

  it(
    "stores nothing of either when the outer fails after the inner committed its savepoint (it used to half-commit)",
    HANG,
    async () => {
      const [first, second] = await t.db
        .insert(tasks)
        .values([
          { workspaceId, title: "First" },
          { workspaceId, title: "Second" },
        ])
        .returning();
      await expect(
        kit.withTracking(alice, "update", "task First", async (tx) => {
          await rename(tx, first!.id, "First renamed");
          await kit.withTracking(bob, "update", "task Second", (inner) => rename(inner, second!.id, "Second renamed"));
          throw new Boom("outer failed");
        }),
      ).rejects.toBeInstanceOf(Boom);
      const failure = await kit.withTracking(alice, "update", "task First", async () => {
        await kit.withTracking(bob, "update", "task Second", (inner) => rename(inner, second!.id, "Second again"));
        return { ok: false as const };
      });
      expect(failure).toEqual({ ok: false });
      expect(await titles()).toEqual(["First", "Second"]);
      // Only the fixture's own inserts (made outside withTracking) are recorded.
      expect((await allEvents(t.db)).map((e) => [e.subject, e.unattributed])).toEqual([
        ["task First", true],
        ["task Second", true],
      ]);
    },
  );

  it(
    "links a cascade: each inner event names the outer's as its parent, and the outer is stored first",
    HANG,
    async () => {
      const [project] = await t.db.insert(projects).values({ workspaceId, name: "Launch" }).returning();
      await kit.withTracking(
        alice,
        "update",
        "project Launch archived",
        async () => {
          // The outer changes nothing itself: its event still stores, since it has inner actions.
          for (const title of ["One", "Two"]) {
            await kit.withTracking(alice, "insert", `task ${title}`, (inner) => insertTask(inner, title));
          }
          await kit.withTracking(alice, "insert", "task Three", async () => {
            // Two levels deep: the grandchild's parent is the inner action, not the outermost one.
            return kit.withTracking(alice, "insert", "task Four", (deepest) => insertTask(deepest, "Four"));
          });
        },
        { record: { type: "project", id: String(project!.id) } },
      );
      // (The fixture's project, inserted outside withTracking, is an unattributed event of its own.)
      const events = (await allEvents(t.db)).filter((e) => !e.unattributed);
      expect(events.map((e) => e.subject)).toEqual([
        "project Launch archived",
        "task One",
        "task Two",
        "task Three",
        "task Four",
      ]);
      const bySubject = new Map(events.map((e) => [e.subject, e]));
      const outer = bySubject.get("project Launch archived")!;
      expect(outer).toMatchObject({ recordType: "project", recordId: String(project!.id), changes: [] });
      expect(outer.metadata).toEqual({});
      for (const child of ["task One", "task Two", "task Three"]) {
        expect(bySubject.get(child)!.metadata).toEqual({ parentEventId: String(outer.id) });
      }
      expect(bySubject.get("task Four")!.metadata).toEqual({ parentEventId: String(bySubject.get("task Three")!.id) });

      // The feed reads the same: the outer action's item, and the inner ones pointing at it (once the
      // sequencer has numbered them, as the running app's does).
      await sequenceOnce(t.db);
      const page = await kit.feed(workspaceId, new URLSearchParams());
      const outerItem = page.items.find((i) => i.subject === "project Launch archived")!;
      expect(page.items.filter((i) => i.metadata.parentEventId === outerItem.id).map((i) => i.subject)).toEqual(
        expect.arrayContaining(["task One", "task Two", "task Three"]),
      );
    },
  );

  it(
    "claims only its own chunks of captured changes when both levels change more than one chunk holds",
    HANG,
    async () => {
      // Each captured row is a few hundred bytes of JSON; a chunk holds 64 kB.
      const many = (tx: Tx, prefix: string) =>
        tx.insert(tasks).values(Array.from({ length: 400 }, (_, i) => ({ workspaceId, title: `${prefix} ${i}` })));
      await kit.withTracking(alice, "insert", "outer bulk", async (tx) => {
        await many(tx, "outer");
        await kit.withTracking(bob, "insert", "inner bulk", async (inner) => {
          await many(inner, "inner");
          return { ok: true as const };
        });
        await many(tx, "outer again");
        return { ok: true as const };
      });
      const events = await allEvents(t.db);
      const prefixes = (e: (typeof events)[number]) => [
        ...new Set(changedTitles(e).map((x) => x.replace(/ \d+$/, ""))),
      ];
      expect(events.map((e) => [e.subject, e.changes.length, prefixes(e)])).toEqual([
        ["outer bulk", 800, ["outer", "outer again"]],
        ["inner bulk", 400, ["inner"]],
      ]);
    },
  );

  it("runs inner actions started together one after another", HANG, async () => {
    await kit.withTracking(alice, "insert", "task Outer", async (tx) => {
      await Promise.all(
        ["A", "B", "C"].map((title) =>
          kit.withTracking(bob, "insert", `task ${title}`, (inner) => insertTask(inner, title)),
        ),
      );
      return insertTask(tx, "Outer");
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, changedTitles(e)]).sort()).toEqual([
      ["task A", ["A"]],
      ["task B", ["B"]],
      ["task C", ["C"]],
      ["task Outer", ["Outer"]],
    ]);
  });

  it("waits for the inner actions fn started and left running: they are part of its transaction", HANG, async () => {
    await kit.withTracking(alice, "insert", "task Outer", async (tx) => {
      void kit.withTracking(bob, "insert", "task Left running", (inner) => insertTask(inner, "Left running"));
      return insertTask(tx, "Outer");
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => e.subject).sort()).toEqual(["task Left running", "task Outer"]);
    expect(events[0]!.txId).toBe(events[1]!.txId);
  });

  it("starts a transaction of its own when called after the outer one ended", HANG, async () => {
    let release = () => {};
    let later: Promise<unknown> | undefined;
    await kit.withTracking(alice, "insert", "task Outer", async (tx) => {
      // A continuation made inside fn keeps its async context, and runs once the outer has committed.
      later = new Promise<void>((resolve) => {
        release = resolve;
      }).then(() => kit.withTracking(bob, "insert", "task Later", (inner) => insertTask(inner, "Later")));
      return insertTask(tx, "Outer");
    });
    release();
    await later;
    const events = await allEvents(t.db);
    expect(events.map((e) => e.subject)).toEqual(["task Outer", "task Later"]);
    expect(events[0]!.txId).not.toBe(events[1]!.txId);
    expect(events[1]!.metadata).toEqual({});
  });
});

describe("track: false inside a tracked action", () => {
  it("keeps its changes in the outer's event (they neither vanish nor become unattributed)", HANG, async () => {
    await kit.withTracking(alice, "insert", "task Outer", async (tx) => {
      await insertTask(tx, "Outer");
      await kit.withTracking(
        bob,
        "insert",
        "quiet",
        async (inner) => {
          expect(await settingsIn(inner)).toMatchObject({ label: "Alice Adams", mode: "tracking" });
          return insertTask(inner, "Quiet");
        },
        { track: false },
      );
      // A failed untracked part rolls back alone.
      await kit
        .withTracking(
          bob,
          "insert",
          "quiet",
          async (inner) => {
            await insertTask(inner, "Quiet failed");
            return { ok: false as const };
          },
          { track: false },
        )
        .catch(() => {});
      return insertTask(tx, "Outer after");
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, e.unattributed, changedTitles(e)])).toEqual([
      ["task Outer", "Alice Adams", false, ["Outer", "Quiet", "Outer after"]],
    ]);
  });

  it("inside an untracked action, a tracked one stores its event and the rest stays untracked", HANG, async () => {
    await kit.withTracking(
      alice,
      "insert",
      "quiet",
      async (tx) => {
        await insertTask(tx, "Quiet");
        await kit.withTracking(bob, "insert", "task Tracked", (inner) => insertTask(inner, "Tracked"));
        expect((await settingsIn(tx)).mode).toBe("skip");
        return insertTask(tx, "Quiet after");
      },
      { track: false },
    );
    expect(await titles()).toEqual(["Quiet", "Quiet after", "Tracked"]);
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, changedTitles(e)])).toEqual([
      ["task Tracked", "Bob Brown", ["Tracked"]],
    ]);
    expect(events[0]!.metadata).toEqual({});
  });
});

describe("withTracking in the host's own transaction ({ tx })", () => {
  it("stores the event in it: committed with it, rolled back with it", HANG, async () => {
    const db = t.db as AnyDatabase;
    await db.transaction(async (tx) => {
      await tx.insert(tasks).values({ workspaceId, title: "Host" });
      await kit.withTracking(alice, "insert", "task Joined", (inner) => insertTask(inner, "Joined"), { tx });
    });
    await expect(
      db.transaction(async (tx) => {
        await kit.withTracking(alice, "insert", "task Lost", (inner) => insertTask(inner, "Lost"), { tx });
        throw new Boom("host failed");
      }),
    ).rejects.toBeInstanceOf(Boom);
    expect(await titles()).toEqual(["Host", "Joined"]);
    const events = await allEvents(t.db);
    // The host's own insert, outside withTracking, is an unattributed change; the joined one is Alice's.
    expect(events.map((e) => [e.subject, e.unattributed, e.actorLabel])).toEqual([
      ["task Host", true, expect.any(String)],
      ["task Joined", false, "Alice Adams"],
    ]);
    expect(changedTitles(events[1]!)).toEqual(["Joined"]);
    expect(events[1]!.txId).toBe(events[0]!.txId);
  });

  it("rolls back only its own part when it fails, and leaves the host's settings as they were", HANG, async () => {
    const db = t.db as AnyDatabase;
    await db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('activity.actor_label', 'host script', true)`);
      const failure = await kit.withTracking(
        alice,
        "insert",
        "task Refused",
        async (inner) => {
          await insertTask(inner, "Refused");
          return { ok: false as const };
        },
        { tx },
      );
      expect(failure).toEqual({ ok: false });
      await kit.withTracking(alice, "insert", "task Kept", (inner) => insertTask(inner, "Kept"), { tx });
      expect(await settingsIn(tx as Tx)).toMatchObject({ label: "host script", mode: "" });
    });
    expect(await titles()).toEqual(["Kept"]);
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["task Kept"]);
  });

  it("with track: false, switches capture off for its own part only", HANG, async () => {
    await t.db.transaction(async (tx) => {
      await tx.insert(tasks).values({ workspaceId, title: "Before" });
      await kit.withTracking(alice, "insert", "quiet", (inner) => insertTask(inner, "Quiet"), { tx, track: false });
      await tx.insert(tasks).values({ workspaceId, title: "After" });
    });
    expect(await titles()).toEqual(["After", "Before", "Quiet"]);
    expect((await allEvents(t.db)).map((e) => [e.subject, e.unattributed])).toEqual([
      ["task Before", true],
      ["task After", true],
    ]);
  });

  it("joins as a nested action when given the transaction of an outer withTracking", HANG, async () => {
    await kit.withTracking(alice, "insert", "task Outer", async (tx) => {
      await insertTask(tx, "Outer");
      await tx.transaction(async (savepoint) => {
        await kit.withTracking(bob, "insert", "task Inner", (inner) => insertTask(inner, "Inner"), {
          tx: savepoint,
        });
      });
      return { ok: true as const };
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, changedTitles(e)])).toEqual([
      ["task Outer", "Alice Adams", ["Outer"]],
      ["task Inner", "Bob Brown", ["Inner"]],
    ]);
    expect(events[1]!.metadata).toEqual({ parentEventId: String(events[0]!.id) });
  });
});

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("nesting on a pool of one connection (server only)", () => {
  let handle: DbHandle;
  afterEach(async () => {
    await handle?.close();
  });

  it("joins the outer transaction instead of waiting for a second connection (it used to deadlock)", HANG, async () => {
    handle = await openTestDb({ max: 1 });
    const single = testKit(() => handle.db);
    await single.withTracking(alice, "insert", "task Outer", async (tx) => {
      await insertTask(tx, "Outer");
      await single.withTracking(bob, "insert", "task Inner", (inner) => insertTask(inner, "Inner"));
      await single
        .withTracking(bob, "insert", "task Failed", async (inner) => {
          await insertTask(inner, "Failed");
          throw new Boom();
        })
        .catch(() => {});
      return { ok: true as const };
    });
    expect(await titles()).toEqual(["Inner", "Outer"]);
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["task Outer", "task Inner"]);
    // The connection goes back to the pool clean.
    const [state] = rowsOf<{ tx: string | null; depth: string | null }>(
      await handle.db.execute(
        sql`select txid_current_if_assigned()::text as tx, current_setting('activity.depth', true) as depth`,
      ),
    );
    expect(state?.tx).toBeNull();
    expect(["", null]).toContain(state?.depth);
  });
});
