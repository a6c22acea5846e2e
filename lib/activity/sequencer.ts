import { eq } from "drizzle-orm";
import { activityHeads } from "./schema";
import type { AnyDatabase } from "./tracking";

/** The workspace's latest sequence number (0 before its first event is sequenced). */
export async function readHead(db: AnyDatabase, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ seq: activityHeads.seq })
    .from(activityHeads)
    .where(eq(activityHeads.workspaceId, workspaceId));
  return row?.seq ?? 0;
}
