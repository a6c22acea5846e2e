import { test as teardown, expect } from "@playwright/test";
import postgres from "postgres";

// Runs after every browser test: whatever the suite did through the app's server actions, none of it may
// have written to a tracked table outside withTracking. On the embedded database the folder belongs to the
// server process, so this check needs a server (CI always has one).
teardown("no server action left an unattributed change", async () => {
  const url = process.env.DATABASE_URL;
  teardown.skip(!url, "needs DATABASE_URL: the embedded database is open in the server process");
  const sql = postgres(url!, { max: 1 });
  try {
    const [counts] = await sql<{ total: number; unattributed: number }[]>`
      select count(*)::int as total, count(*) filter (where unattributed)::int as unattributed from activity_events`;
    expect(counts!.total).toBeGreaterThan(0);
    const stray =
      await sql`select action, subject, record_type, record_id from activity_events where unattributed limit 5`;
    expect(stray).toEqual([]);
  } finally {
    await sql.end();
  }
});
