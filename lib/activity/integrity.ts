import type { AnyDatabase } from "./database";
import { activityCheckpoints } from "./schema";
import { latestCheckpoint } from "./checkpoint";
import { type ChainProblem, type VerifyOptions, type VerifyResult, verifyChain } from "./verify";

/** A verification as recorded (the Integrity panel shows the last one). */
export interface StoredVerification {
  verifiedAt: Date;
  ok: boolean;
  checked: number;
  headSeq: number;
  problem: ChainProblem | null;
}

/** Verifies the workspace's chain and records the outcome as a `verification` checkpoint. */
export async function verifyAndRecord(
  db: AnyDatabase,
  workspaceId: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const result = await verifyChain(db, workspaceId, options);
  await db.insert(activityCheckpoints).values({
    workspaceId,
    seq: result.head.seq,
    hash: result.head.hash,
    count: result.checked,
    kind: "verification",
    takenAt: result.verifiedAt,
    result: { ok: result.ok, from: result.from, problem: result.problem },
  });
  return result;
}

/** The workspace's last recorded verification, or null before the first. */
export async function lastVerification(db: AnyDatabase, workspaceId: string): Promise<StoredVerification | null> {
  const row = await latestCheckpoint(db, workspaceId, "verification");
  if (!row) return null;
  const result = (row.result ?? {}) as { ok?: boolean; problem?: ChainProblem | null };
  return {
    verifiedAt: row.takenAt,
    ok: result.ok === true,
    checked: row.count,
    headSeq: row.seq,
    problem: result.problem ?? null,
  };
}
