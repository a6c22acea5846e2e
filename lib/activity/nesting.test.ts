import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DbHandle, openTestDb, setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import type { AnyDatabase } from "./database";
import { rowsOf } from "./rows";
import { sequenceOnce } from "./sequencer";
import { allEvents } from "./testing/events";
import { folders, members, notes } from "./testing/schema";
import { fixtureKit } from "./testing/tables";

/**
 * withTracking inside withTracking (or inside the host's own transaction) joins the transaction it is
 * called in: the inner action runs in a savepoint and stores its own event there.
 *
 * Before nesting worked, several of these hung: the inner action waited for a lock (or a connection) its
 * own caller held. The timeouts below only turn such a hang into a failure.
 */
const HANG = { timeout: 20_000 };

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

type Note = typeof notes.$inferSelect;

let alice: Actor & { type: "user" };
let bob: Actor & { type: "user" };
const workspaceId = 7;

beforeEach(async () => {
  const people = await t.db
    .insert(members)
    .values([{ name: "Alice Adams" }, { name: "Bob Brown" }])
    .returning();
  alice = { type: "user", id: people[0]!.id, name: "Alice Adams", workspaceId };
  bob = { type: "user", id: people[1]!.id, name: "Bob Brown", workspaceId };
});

type Tx = Parameters<Parameters<typeof kit.withTracking>[3]>[0];

const insertNote = async (tx: Tx, title: string) => {
  const [note] = await tx.insert(notes).values({ teamId: workspaceId, title }).returning();
  return note!;
};
const rename = (tx: Tx, id: number, title: string) => tx.update(notes).set({ title }).where(eq(notes.id, id));
const titles = async () => (await t.db.select({ title: notes.title }).from(notes)).map((r) => r.title).sort();
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
    const note = await kit.withTracking(alice, "insert", "note Draft", (tx) => insertNote(tx, "Draft"));
    await kit.withTracking(alice, "update", "note Outer", async (tx) => {
      await rename(tx, note.id, "Outer");
      await kit.withTracking(bob, "update", "note Inner", (inner) => rename(inner, note.id, "Inner"));
    });
    expect(await titles()).toEqual(["Inner"]);
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, changedTitles(e)])).toEqual([
      ["note Draft", "Alice Adams", ["Draft"]],
      ["note Outer", "Alice Adams", ["Outer"]],
      ["note Inner", "Bob Brown", ["Inner"]],
    ]);
  });

  it("stores each action's own event: its actor, action and only the changes made inside it", HANG, async () => {
    const outerResult = await kit.withTracking(
      alice,
      "insert",
      (note: Note) => `note ${note.title}`,
      async (tx) => {
        const before = await insertNote(tx, "Outer before");
        const inner = await kit.withTracking(
          bob,
          "note.closed",
          "note Inner",
          async (itx) => {
            const created = await insertNote(itx, "Inner");
            await itx.update(notes).set({ status: "closed" }).where(eq(notes.id, created.id));
            return created;
          },
          { metadata: { reason: "not needed" } },
        );
        expect(inner.title).toBe("Inner");
        await insertNote(tx, "Outer after");
        return before;
      },
    );
    expect(outerResult.title).toBe("Outer before");
    const events = await allEvents(t.db);
    expect(events).toHaveLength(2);
    const outer = events.find((e) => e.actorLabel === "Alice Adams")!;
    const inner = events.find((e) => e.actorLabel === "Bob Brown")!;
    expect(outer).toMatchObject({ action: "insert", subject: "note Outer before", actorId: String(alice.id) });
    expect(changedTitles(outer)).toEqual(["Outer before", "Outer after"]);
    expect(inner).toMatchObject({
      action: "note.closed",
      subject: "note Inner",
      actorId: String(bob.id),
      metadata: { reason: "not needed" },
    });
    expect(inner.changes.map((c) => c.op)).toEqual(["insert", "update"]);
    expect(inner.txId).toBe(outer.txId);
  });

  it("shows database code the inner's actor inside it and the outer's again after it", HANG, async () => {
    const seen: string[] = [];
    await kit.withTracking(alice, "insert", "note Outer", async (tx) => {
      seen.push((await settingsIn(tx)).label);
      await kit.withTracking(bob, "insert", "note Inner", async (inner) => {
        seen.push((await settingsIn(inner)).label);
        return insertNote(inner, "Inner");
      });
      seen.push((await settingsIn(tx)).label);
      // After an inner action that failed (its savepoint rolled back) too.
      await kit
        .withTracking(bob, "insert", "note Failed", async (inner) => {
          await insertNote(inner, "Failed");
          throw new Boom();
        })
        .catch(() => {});
      seen.push((await settingsIn(tx)).label);
      return insertNote(tx, "Outer");
    });
    expect(seen).toEqual(["Alice Adams", "Bob Brown", "Alice Adams", "Alice Adams"]);
    expect(await titles()).toEqual(["Inner", "Outer"]);
  });

  it(
    "rolls back a failed inner action (thrown or { ok: false }), its changes and its event, and the outer goes on",
    HANG,
    async () => {
      await kit.withTracking(alice, "insert", "note Outer", async (tx) => {
        await insertNote(tx, "Outer");
        await expect(
          kit.withTracking(bob, "insert", "note Thrown", async (inner) => {
            await insertNote(inner, "Thrown");
            throw new Boom("inner failed");
          }),
        ).rejects.toBeInstanceOf(Boom);
        const failure = await kit.withTracking(bob, "insert", "note Refused", async (inner) => {
          await insertNote(inner, "Refused");
          return { ok: false as const, reason: "refused" };
        });
        expect(failure).toEqual({ ok: false, reason: "refused" });
        // A statement that fails inside the inner action leaves the outer transaction usable.
        await expect(
          kit.withTracking(bob, "insert", "note Invalid", (inner) =>
            inner.execute(sql`insert into notes (team_id, title) values (${workspaceId}, null)`),
          ),
        ).rejects.toThrow();
        await insertNote(tx, "Outer after");
        return { ok: true as const };
      });
      expect(await titles()).toEqual(["Outer", "Outer after"]);
      const events = await allEvents(t.db);
      expect(events.map((e) => [e.subject, changedTitles(e)])).toEqual([["note Outer", ["Outer", "Outer after"]]]);
    },
  );

  it(
    "stores nothing of either when the outer fails after the inner committed its savepoint (it used to half-commit)",
    HANG,
    async () => {
      const [first, second] = await t.db
        .insert(notes)
        .values([
          { teamId: workspaceId, title: "First" },
          { teamId: workspaceId, title: "Second" },
        ])
        .returning();
      await expect(
        kit.withTracking(alice, "update", "note First", async (tx) => {
          await rename(tx, first!.id, "First renamed");
          await kit.withTracking(bob, "update", "note Second", (inner) => rename(inner, second!.id, "Second renamed"));
          throw new Boom("outer failed");
        }),
      ).rejects.toBeInstanceOf(Boom);
      const failure = await kit.withTracking(alice, "update", "note First", async () => {
        await kit.withTracking(bob, "update", "note Second", (inner) => rename(inner, second!.id, "Second again"));
        return { ok: false as const };
      });
      expect(failure).toEqual({ ok: false });
      expect(await titles()).toEqual(["First", "Second"]);
      // Only the fixture's own inserts (made outside withTracking) are recorded.
      expect((await allEvents(t.db)).map((e) => [e.subject, e.unattributed])).toEqual([
        ["note First", true],
        ["note Second", true],
      ]);
    },
  );

  it(
    "links a cascade: each inner event names the outer's as its parent, and the outer is stored first",
    HANG,
    async () => {
      const [folder] = await t.db.insert(folders).values({ id: 9, teamId: workspaceId, name: "Launch" }).returning();
      await kit.withTracking(
        alice,
        "update",
        "folder Launch archived",
        async () => {
          // The outer changes nothing itself: its event still stores, since it has inner actions.
          for (const title of ["One", "Two"]) {
            await kit.withTracking(alice, "insert", `note ${title}`, (inner) => insertNote(inner, title));
          }
          await kit.withTracking(alice, "insert", "note Three", async () => {
            // Two levels deep: the grandchild's parent is the inner action, not the outermost one.
            return kit.withTracking(alice, "insert", "note Four", (deepest) => insertNote(deepest, "Four"));
          });
        },
        { record: { type: "folder", id: String(folder!.id) } },
      );
      // (The fixture's folder, inserted outside withTracking, is an unattributed event of its own.)
      const events = (await allEvents(t.db)).filter((e) => !e.unattributed);
      expect(events.map((e) => e.subject)).toEqual([
        "folder Launch archived",
        "note One",
        "note Two",
        "note Three",
        "note Four",
      ]);
      const bySubject = new Map(events.map((e) => [e.subject, e]));
      const outer = bySubject.get("folder Launch archived")!;
      expect(outer).toMatchObject({ recordType: "folder", recordId: String(folder!.id), changes: [] });
      expect(outer.metadata).toEqual({});
      for (const child of ["note One", "note Two", "note Three"]) {
        expect(bySubject.get(child)!.metadata).toEqual({ parentEventId: String(outer.id) });
      }
      expect(bySubject.get("note Four")!.metadata).toEqual({ parentEventId: String(bySubject.get("note Three")!.id) });

      // The feed reads the same: the outer action's item, and the inner ones pointing at it (once the
      // sequencer has numbered them, as the running app's does).
      await sequenceOnce(t.db);
      const page = await kit.feed(workspaceId, new URLSearchParams());
      const outerItem = page.items.find((i) => i.subject === "folder Launch archived")!;
      expect(page.items.filter((i) => i.metadata.parentEventId === outerItem.id).map((i) => i.subject)).toEqual(
        expect.arrayContaining(["note One", "note Two", "note Three"]),
      );
      // Each inner item names the action it is part of (the deepest its own parent), the outer none.
      const parentOf = (subject: string) => page.items.find((i) => i.subject === subject)!.parent;
      expect(outerItem.parent).toBeUndefined();
      for (const child of ["note One", "note Two", "note Three"]) {
        expect(parentOf(child)).toEqual({
          id: outerItem.id,
          action: "update",
          subject: "folder Launch archived",
          actorName: alice.name,
        });
      }
      expect(parentOf("note Four")).toMatchObject({ subject: "note Three", action: "insert" });
      // On a page without the outer event (narrowed to one note), the parent is read in one more query.
      const [two] = await t.db.select({ id: notes.id }).from(notes).where(eq(notes.title, "Two"));
      const narrowed = await kit.feed(workspaceId, new URLSearchParams({ record: `note:${two!.id}` }));
      expect(narrowed.items.map((i) => [i.subject, i.parent?.subject])).toEqual([
        ["note Two", "folder Launch archived"],
      ]);
    },
  );

  it(
    "claims only its own chunks of captured changes when both levels change more than one chunk holds",
    HANG,
    async () => {
      // Each captured row is a few hundred bytes of JSON; a chunk holds 64 kB.
      const many = (tx: Tx, prefix: string) =>
        tx.insert(notes).values(
          Array.from({ length: 400 }, (_, i) => ({
            teamId: workspaceId,
            title: `${prefix} ${i}`,
            body: "x".repeat(300),
          })),
        );
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
      expect(events.every((e) => JSON.stringify(e.changes).length > 64 * 1024)).toBe(true);
    },
  );

  it("runs inner actions started together one after another", HANG, async () => {
    await kit.withTracking(alice, "insert", "note Outer", async (tx) => {
      await Promise.all(
        ["A", "B", "C"].map((title) =>
          kit.withTracking(bob, "insert", `note ${title}`, (inner) => insertNote(inner, title)),
        ),
      );
      return insertNote(tx, "Outer");
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, changedTitles(e)]).sort()).toEqual([
      ["note A", ["A"]],
      ["note B", ["B"]],
      ["note C", ["C"]],
      ["note Outer", ["Outer"]],
    ]);
  });

  it("waits for the inner actions fn started and left running: they are part of its transaction", HANG, async () => {
    await kit.withTracking(alice, "insert", "note Outer", async (tx) => {
      void kit.withTracking(bob, "insert", "note Left running", (inner) => insertNote(inner, "Left running"));
      return insertNote(tx, "Outer");
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => e.subject).sort()).toEqual(["note Left running", "note Outer"]);
    expect(events[0]!.txId).toBe(events[1]!.txId);
  });

  it("starts a transaction of its own when called after the outer one ended", HANG, async () => {
    let release = () => {};
    let later: Promise<unknown> | undefined;
    await kit.withTracking(alice, "insert", "note Outer", async (tx) => {
      // A continuation made inside fn keeps its async context, and runs once the outer has committed.
      later = new Promise<void>((resolve) => {
        release = resolve;
      }).then(() => kit.withTracking(bob, "insert", "note Later", (inner) => insertNote(inner, "Later")));
      return insertNote(tx, "Outer");
    });
    release();
    await later;
    const events = await allEvents(t.db);
    expect(events.map((e) => e.subject)).toEqual(["note Outer", "note Later"]);
    expect(events[0]!.txId).not.toBe(events[1]!.txId);
    expect(events[1]!.metadata).toEqual({});
  });
});

describe("track: false inside a tracked action", () => {
  it("keeps its changes in the outer's event (they neither vanish nor become unattributed)", HANG, async () => {
    await kit.withTracking(alice, "insert", "note Outer", async (tx) => {
      await insertNote(tx, "Outer");
      await kit.withTracking(
        bob,
        "insert",
        "quiet",
        async (inner) => {
          expect(await settingsIn(inner)).toMatchObject({ label: "Alice Adams", mode: "tracking" });
          return insertNote(inner, "Quiet");
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
            await insertNote(inner, "Quiet failed");
            return { ok: false as const };
          },
          { track: false },
        )
        .catch(() => {});
      return insertNote(tx, "Outer after");
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, e.unattributed, changedTitles(e)])).toEqual([
      ["note Outer", "Alice Adams", false, ["Outer", "Quiet", "Outer after"]],
    ]);
  });

  it("inside an untracked action, a tracked one stores its event and the rest stays untracked", HANG, async () => {
    await kit.withTracking(
      alice,
      "insert",
      "quiet",
      async (tx) => {
        await insertNote(tx, "Quiet");
        await kit.withTracking(bob, "insert", "note Tracked", (inner) => insertNote(inner, "Tracked"));
        expect((await settingsIn(tx)).mode).toBe("skip");
        return insertNote(tx, "Quiet after");
      },
      { track: false },
    );
    expect(await titles()).toEqual(["Quiet", "Quiet after", "Tracked"]);
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, changedTitles(e)])).toEqual([
      ["note Tracked", "Bob Brown", ["Tracked"]],
    ]);
    expect(events[0]!.metadata).toEqual({});
  });
});

describe("withTracking in the host's own transaction ({ tx })", () => {
  it("stores the event in it: committed with it, rolled back with it", HANG, async () => {
    const db = t.db as AnyDatabase;
    await db.transaction(async (tx) => {
      await tx.insert(notes).values({ teamId: workspaceId, title: "Host" });
      await kit.withTracking(alice, "insert", "note Joined", (inner) => insertNote(inner, "Joined"), { tx });
    });
    await expect(
      db.transaction(async (tx) => {
        await kit.withTracking(alice, "insert", "note Lost", (inner) => insertNote(inner, "Lost"), { tx });
        throw new Boom("host failed");
      }),
    ).rejects.toBeInstanceOf(Boom);
    expect(await titles()).toEqual(["Host", "Joined"]);
    const events = await allEvents(t.db);
    // The host's own insert, outside withTracking, is an unattributed change; the joined one is Alice's.
    expect(events.map((e) => [e.subject, e.unattributed, e.actorLabel])).toEqual([
      ["note Host", true, expect.any(String)],
      ["note Joined", false, "Alice Adams"],
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
        "note Refused",
        async (inner) => {
          await insertNote(inner, "Refused");
          return { ok: false as const };
        },
        { tx },
      );
      expect(failure).toEqual({ ok: false });
      await kit.withTracking(alice, "insert", "note Kept", (inner) => insertNote(inner, "Kept"), { tx });
      expect(await settingsIn(tx as Tx)).toMatchObject({ label: "host script", mode: "" });
    });
    expect(await titles()).toEqual(["Kept"]);
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["note Kept"]);
  });

  it("with track: false, switches capture off for its own part only", HANG, async () => {
    await t.db.transaction(async (tx) => {
      await tx.insert(notes).values({ teamId: workspaceId, title: "Before" });
      await kit.withTracking(alice, "insert", "quiet", (inner) => insertNote(inner, "Quiet"), { tx, track: false });
      await tx.insert(notes).values({ teamId: workspaceId, title: "After" });
    });
    expect(await titles()).toEqual(["After", "Before", "Quiet"]);
    expect((await allEvents(t.db)).map((e) => [e.subject, e.unattributed])).toEqual([
      ["note Before", true],
      ["note After", true],
    ]);
  });

  it("joins as a nested action when given the transaction of an outer withTracking", HANG, async () => {
    await kit.withTracking(alice, "insert", "note Outer", async (tx) => {
      await insertNote(tx, "Outer");
      await tx.transaction(async (savepoint) => {
        await kit.withTracking(bob, "insert", "note Inner", (inner) => insertNote(inner, "Inner"), {
          tx: savepoint,
        });
      });
      return { ok: true as const };
    });
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.subject, e.actorLabel, changedTitles(e)])).toEqual([
      ["note Outer", "Alice Adams", ["Outer"]],
      ["note Inner", "Bob Brown", ["Inner"]],
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
    handle = await openTestDb({ database: "kit", max: 1 });
    const single = fixtureKit(() => handle.db);
    await single.withTracking(alice, "insert", "note Outer", async (tx) => {
      await insertNote(tx, "Outer");
      await single.withTracking(bob, "insert", "note Inner", (inner) => insertNote(inner, "Inner"));
      await single
        .withTracking(bob, "insert", "note Failed", async (inner) => {
          await insertNote(inner, "Failed");
          throw new Boom();
        })
        .catch(() => {});
      return { ok: true as const };
    });
    expect(await titles()).toEqual(["Inner", "Outer"]);
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["note Outer", "note Inner"]);
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
