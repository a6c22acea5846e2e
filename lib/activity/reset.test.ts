import { asc, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import { resetActivityLog } from "./reset";
import { activityEvents, activityHeads, activityRemovals, activitySequence } from "./schema";
import { sequenceOnce } from "./sequencer";

const t = setupTestDb({ database: "kit" });

async function insert(workspace: string, count: number) {
  await t.db.execute(sql`
    insert into activity_events (workspace_id, actor_type, actor_label, action, subject)
    select ${workspace}, 'system', 'System', 'insert', 'e' || g from generate_series(1, ${count}) as g`);
}

describe("resetActivityLog", () => {
  it("empties one workspace's log (events, sequence, head), leaves the others, and records what it removed", async () => {
    await insert("7", 3);
    await insert("8", 2);
    await sequenceOnce(t.db);
    expect(await resetActivityLog(t.db, "7")).toBe(3);
    const left = await t.db.select({ workspaceId: activityEvents.workspaceId }).from(activityEvents);
    expect(left.map((e) => e.workspaceId)).toEqual(["8", "8"]);
    expect((await t.db.select().from(activitySequence)).map((s) => s.workspaceId)).toEqual(["8", "8"]);
    expect(
      await t.db.select({ workspaceId: activityHeads.workspaceId, seq: activityHeads.seq }).from(activityHeads),
    ).toEqual([{ workspaceId: "8", seq: 2 }]);
    const removals = await t.db.select().from(activityRemovals).orderBy(asc(activityRemovals.id));
    expect(removals.map((r) => [r.workspaceId, r.reason, r.policy])).toEqual([["7", "reset", "3 events"]]);
  });

  it("empties every log when given no workspace, and the next event starts the numbering again", async () => {
    await insert("7", 2);
    await sequenceOnce(t.db);
    expect(await resetActivityLog(t.db)).toBe(2);
    expect(await t.db.select().from(activityEvents)).toEqual([]);
    const removals = await t.db.select().from(activityRemovals);
    expect(removals.map((r) => [r.workspaceId, r.reason, r.policy])).toEqual([[null, "reset", "2 events"]]);
    await insert("7", 1);
    expect(await sequenceOnce(t.db)).toEqual({ "7": 1 });
  });
});
