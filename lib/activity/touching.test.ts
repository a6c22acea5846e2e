import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import { type PlanNode, planNodes } from "@/test/plans";
import { activityEvents } from "./schema";
import { touchingRecord } from "./touching";

const t = setupTestDb({ database: "kit" });

/** The plan of the events touching task 42 in workspace 7: its top node, and its scans of the refs index. */
async function planOfTouching(): Promise<{ rows: number; refsScans: PlanNode[] }> {
  const e = activityEvents;
  const built = t.db
    .select({ id: e.id })
    .from(e)
    .where(and(eq(e.workspaceId, "7"), touchingRecord({ type: "task", id: "42" })));
  const nodes = await planNodes(t.db, built, "costs on");
  return { rows: nodes[0]!["Plan Rows"], refsScans: nodes.filter((node) => node["Index Name"]?.endsWith("refs_idx")) };
}

const insertEvents = (count: number, refs: string) =>
  t.db.execute(sql`
    insert into activity_events (workspace_id, occurred_at, actor_type, actor_label, action, subject, refs)
    select '7', now(), 'system', 'System', 'note.closed', 'Note ' || n, ${refs}::text[]
      from generate_series(1, ${count}) as n`);

describe("touchingRecord", () => {
  it("estimates the events naming a record in refs from the share of events with refs, not a default share of the table", async () => {
    // Statistics taken while no event had refs (at millions of events, ANALYZE's sample of 30,000 rows may
    // hold none of the few that do): PostgreSQL then has no element statistics for `refs`, and without
    // `refs <> '{}'` it takes `@>` to match 0.5% of the table, 100 rows here; a query that costly is
    // JIT-compiled on a server, which took 50–90 ms of a 0.5 ms record page at 10 million events.
    await insertEvents(20_000, "{}");
    await t.db.execute(sql`analyze activity_events`);
    await insertEvents(3, "{task:42}");
    // A row or so a partition (each is estimated on its own), against 0.5% of 20,000 = 100 without it.
    const { rows, refsScans } = await planOfTouching();
    expect(rows).toBeLessThan(40);
    // The scan of the refs index, which costs the heap pages it is expected to fetch, expects as few: a
    // scan of an index of every event would expect 0.5% of them (100 here; 3,885 a month at 10 million
    // events, which lifted the page's cost past jit_above_cost), one of only the events with refs few.
    expect(refsScans.length).toBeGreaterThan(0);
    for (const scan of refsScans) expect(scan["Plan Rows"]).toBeLessThan(10);

    const e = activityEvents;
    const found = await t.db
      .select({ id: e.id })
      .from(e)
      .where(and(eq(e.workspaceId, "7"), touchingRecord({ type: "task", id: "42" })));
    expect(found).toHaveLength(3);
  });
});
