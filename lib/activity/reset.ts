import { sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { rowsOf } from "./rows";

/**
 * Empties the activity log of one workspace (of every workspace when none is given), for re-seeding a demo
 * or resetting a test database, through the kit's `activity_reset` routine: the log is append-only, and
 * the routine, run as its owner, is the one way to clear it; it leaves a row in `activity_removals` saying
 * so. The app's role may call it only if its grants allow (`grants --allow-reset`). Returns how many events
 * went.
 */
export async function resetActivityLog(db: AnyDatabase, workspaceId: string | null = null): Promise<number> {
  const [row] = rowsOf<{ removed: number | string }>(
    await db.execute(sql`select activity_reset(${workspaceId}::text) as removed`),
  );
  return Number(row?.removed ?? 0);
}
