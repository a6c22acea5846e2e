import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openTestDb, setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { rowsOf } from "./rows";
import { sequenceOnce } from "./sequencer";
import { notes } from "./testing/schema";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);
const alice: Actor = { type: "user", id: "alice", name: "Alice", workspaceId: 1 };

const addNote = (title: string) =>
  kit.withTracking(alice, "insert", `note ${title}`, (tx) => tx.insert(notes).values({ teamId: 1, title }));

const state = async () => {
  const [row] = rowsOf<{ xmax: string | null; xip: string | null }>(
    await t.db.execute(
      sql`select snapshot_xmax::text as xmax, snapshot_xip::text as xip from activity_sequencer where id = 1`,
    ),
  );
  return row ?? null;
};

const sequenced = async () =>
  rowsOf<{ subject: string; seq: number }>(
    await t.db.execute(
      sql`select e.subject, s.seq::int as seq from activity_sequence s join activity_events e on e.id = s.event_id order by s.seq`,
    ),
  ).map((r) => `${r.seq} ${r.subject}`);

describe("the sequencer's resume point", () => {
  it("is written by a tick that sequenced something, and an idle tick writes nothing", async () => {
    await addNote("a");
    await sequenceOnce(t.db);
    const busy = await state();
    expect(busy?.xmax).toEqual(expect.any(String));
    for (let i = 0; i < 3; i++) expect(await sequenceOnce(t.db)).toEqual({});
    expect(await state()).toEqual(busy);
    await addNote("b");
    await sequenceOnce(t.db);
    expect(Number((await state())?.xmax)).toBeGreaterThan(Number(busy?.xmax));
    expect(await sequenced()).toEqual(["1 note a", "2 note b"]);
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    "moves past a transaction left open, keeps it in `snapshot_xip`, and numbers its event once it commits (server only)",
    async () => {
      const other = await openTestDb({ database: "kit", max: 1 });
      try {
        let release!: () => void;
        const held = new Promise<void>((r) => {
          release = r;
        });
        let begun!: (xid: number) => void;
        const xid = new Promise<number>((r) => {
          begun = r;
        });
        // Open, with an xid of its own and an event written but not committed.
        const open = other.db.transaction(async (tx) => {
          await tx.insert(notes).values({ teamId: 1, title: "long" });
          const [row] = rowsOf<{ xid: string }>(await tx.execute(sql`select pg_current_xact_id()::text as xid`));
          begun(Number(row!.xid));
          await held;
        });
        const longXid = await xid;
        for (const title of ["a", "b", "c"]) {
          await addNote(title);
          await sequenceOnce(t.db);
        }
        const during = await state();
        expect(Number(during?.xmax)).toBeGreaterThan(longXid);
        expect(during?.xip?.replace(/[{}]/g, "").split(",").map(Number)).toContain(longXid);
        expect(await sequenced()).toEqual(["1 note a", "2 note b", "3 note c"]);
        release();
        await open;
        await sequenceOnce(t.db);
        expect(await sequenced()).toEqual(["1 note a", "2 note b", "3 note c", "4 note long"]);
        await addNote("d");
        await sequenceOnce(t.db);
        const after = await state();
        expect(after?.xip?.replace(/[{}]/g, "").split(",").map(Number) ?? []).not.toContain(longXid);
        expect(await sequenced()).toHaveLength(5);
      } finally {
        await other.close();
      }
    },
  );
});
