import { asc, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import { ActivityError } from "./errors";
import { applyRetention, parseRetentionPolicies } from "./retention";
import { activityEvents, activityRemovals, activitySequence } from "./schema";
import { sequenceOnce } from "./sequencer";

const t = setupTestDb({ database: "kit" });

const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

/** Events with chosen actions and ages, sequenced (retention removes only sequenced events). */
async function insert(events: { action: string; days: number }[], workspace = "7") {
  for (const e of events) {
    await t.db.execute(sql`
      insert into activity_events (workspace_id, occurred_at, actor_type, actor_label, action, subject)
      values (${workspace}, ${ago(e.days).toISOString()}::timestamptz, 'system', 'System', ${e.action},
              ${`${e.action} ${e.days}d`})`);
  }
  await sequenceOnce(t.db);
}

const subjects = async () =>
  (await t.db.select({ subject: activityEvents.subject }).from(activityEvents).orderBy(asc(activityEvents.id))).map(
    (r) => r.subject,
  );

const POLICIES = { "task.*": "2 years", "task.cancelled": "5 years", "user.signed_in": "90 days" };
const HISTORY = [
  { action: "task.created", days: 800 }, // older than 2 years: goes
  { action: "task.created", days: 700 },
  { action: "task.cancelled", days: 800 }, // its own policy keeps it 5 years
  { action: "task.cancelled", days: 2000 }, // goes
  { action: "user.signed_in", days: 91 }, // goes
  { action: "user.signed_in", days: 89 },
  { action: "userXsigned_in", days: 400 }, // `_` is no wildcard: no policy, kept
  { action: "note.closed", days: 3000 }, // no policy: kept for ever
  { action: "task.created", days: 900 }, // goes
];

describe("retention", () => {
  it("a dry run counts what each policy would remove and removes nothing", async () => {
    await insert(HISTORY);
    const outcomes = await applyRetention(t.db, POLICIES, { dryRun: true });
    expect(outcomes.map((o) => [o.pattern, o.keep, o.removed])).toEqual([
      ["task.cancelled", "5 years", 1],
      ["user.signed_in", "90 days", 1],
      ["task.*", "2 years", 2],
    ]);
    expect(await subjects()).toHaveLength(HISTORY.length);
    expect(await t.db.select().from(activityRemovals)).toEqual([]);
  });

  it("removes, in batches, the sequenced events no policy keeps, with their sequence rows, and records each", async () => {
    await insert(HISTORY);
    await insert([{ action: "task.created", days: 1000 }], "8");
    const sequenced = new Map(
      (await t.db.select().from(activitySequence)).map((s) => [s.eventId, `${s.workspaceId}/${s.seq}`]),
    );
    const outcomes = await applyRetention(t.db, POLICIES, { batchSize: 2 });
    expect(outcomes.map((o) => [o.pattern, o.removed])).toEqual([
      ["task.cancelled", 1],
      ["user.signed_in", 1],
      ["task.*", 3],
    ]);
    expect(await subjects()).toEqual([
      "task.created 700d",
      "task.cancelled 800d",
      "user.signed_in 89d",
      "userXsigned_in 400d",
      "note.closed 3000d",
    ]);
    const removals = await t.db.select().from(activityRemovals).orderBy(asc(activityRemovals.id));
    expect(
      removals.map((r) => [r.reason, r.policy, `${r.workspaceId}/${r.seq}` === sequenced.get(r.eventId!)]),
    ).toEqual([
      ["retention", "task.cancelled = 5 years", true],
      ["retention", "user.signed_in = 90 days", true],
      ["retention", "task.* = 2 years", true],
      ["retention", "task.* = 2 years", true],
      ["retention", "task.* = 2 years", true],
    ]);
    const left = await t.db.select({ eventId: activitySequence.eventId }).from(activitySequence);
    expect(left).toHaveLength(5);
    // Run again: nothing more to remove.
    expect((await applyRetention(t.db, POLICIES)).map((o) => o.removed)).toEqual([0, 0, 0]);
  });

  it("leaves events the sequencer has not numbered yet (their link in the chain does not exist yet)", async () => {
    await t.db.execute(sql`
      insert into activity_events (workspace_id, occurred_at, actor_type, actor_label, action, subject)
      values ('7', now() - interval '10 years', 'system', 'System', 'task.created', 'unsequenced')`);
    expect((await applyRetention(t.db, { "*": "1 day" })).map((o) => o.removed)).toEqual([0]);
    expect(await subjects()).toEqual(["unsequenced"]);
  });

  it("refuses malformed policies with a message naming them", () => {
    for (const [policies, message] of [
      [{ "task.*": "forever" }, /"forever" for "task.\*" is not a duration/],
      [{ "task.*": "0 days" }, /is not a duration/],
      [{ "task; drop table": "1 day" }, /is not an action or a pattern/],
    ] as const) {
      expect(() => parseRetentionPolicies(policies)).toThrow(message);
      expect(() => parseRetentionPolicies(policies)).toThrow(ActivityError);
    }
  });
});
