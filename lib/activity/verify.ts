import { setTimeout as sleep } from "node:timers/promises";
import { and, asc, between, desc, eq, gte, min, sql } from "drizzle-orm";
import { chainHash, eventDigest, GENESIS_HASH } from "./canonical";
import type { AnyDatabase } from "./database";
import { NOT_NUMBERED, readEventsByKey } from "./event-rows";
import { rowsOf } from "./rows";
import { activityCheckpoints, activityHeads, activitySeals, activitySequence, activitySequencer } from "./schema";

/**
 * How the chain is broken at the first place it is:
 * - `edited`: an event's content no longer has the digest its seal recorded;
 * - `deleted`: a sealed event (or its number) is gone and activity_removals does not list it, or numbers
 *   are missing from the log;
 * - `inserted`: an event, a number or a seal the sequencer did not write: an event never numbered, a
 *   number never sealed, a seal that does not link to the one before;
 * - `reordered`: the events are all there with their digests, but in other places than the chain says;
 * - `truncated` / `rewritten` (against a checkpoint): the log no longer reaches the checkpoint's head, or
 *   holds another hash there.
 */
export type ChainProblemKind = "edited" | "deleted" | "inserted" | "reordered" | "truncated" | "rewritten";

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The sequence number where the chain breaks, when there is one. */
  seq: number | null;
  /** The event named, when there is one. */
  eventId: number | null;
  message: string;
}

export interface VerifyResult {
  workspaceId: string;
  ok: boolean;
  /** Links checked (seals), from `from` on. */
  checked: number;
  /** The first number checked: 1, or the one after the latest retention anchor. */
  from: number;
  /** The last link that verified: its number and hash (the anchor's, or genesis, if none did). */
  head: { seq: number; hash: string };
  problem: ChainProblem | null;
  /** Present when verifying against a checkpoint. */
  checkpoint?: { seq: number; hash: string; status: "found" | "before-anchor" | "missing" | "differs" };
  verifiedAt: Date;
}

export interface VerifyOptions {
  /** Numbers read per batch (memory stays constant: one batch at a time). Default 1,000. */
  batch?: number;
  /**
   * How long a number may go without its seal before it counts as inserted: the sequencer seals in the
   * tick that numbers, so this only needs to cover a tick in flight. Default 1,000 ms.
   */
  sealingDelayMs?: number;
  /** A head the log must still contain (from a signed checkpoint). */
  checkpoint?: { seq: number; hash: string };
}

interface Seal {
  seq: number;
  eventId: number;
  digest: string;
  hash: string;
}

const problem = (kind: ChainProblemKind, seq: number | null, eventId: number | null, message: string) => ({
  kind,
  seq,
  eventId,
  message,
});

/** The latest retention anchor: where the chain starts again (else genesis). */
async function startOf(db: AnyDatabase, workspaceId: string): Promise<{ seq: number; hash: string }> {
  const [anchor] = await db
    .select({ seq: activityCheckpoints.seq, hash: activityCheckpoints.hash })
    .from(activityCheckpoints)
    .where(and(eq(activityCheckpoints.workspaceId, workspaceId), eq(activityCheckpoints.kind, "retention")))
    .orderBy(desc(activityCheckpoints.seq))
    .limit(1);
  return anchor ?? { seq: 0, hash: GENESIS_HASH };
}

/** Event ids activity_removals lists for the workspace (what retention and the other owner's routines removed). */
async function removedIds(db: AnyDatabase, workspaceId: string, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = rowsOf<{ event_id: string | number }>(
    await db.execute(sql`select event_id from activity_removals
      where workspace_id = ${workspaceId} and event_id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`),
  );
  return new Set(rows.map((r) => Number(r.event_id)));
}

/**
 * A wrong link at `seq`: the events were moved rather than forged if a seal nearby links here (the seals
 * were moved), or this seal's hash links here over another seal's digest (the contents were moved).
 */
function looksReordered(prev: string, workspaceId: string, seq: number, at: Seal, nearby: Iterable<Seal>): boolean {
  for (const other of nearby) {
    if (other.seq === at.seq) continue;
    if (chainHash({ prev, workspaceId, seq, digest: other.digest }) === other.hash) return true;
    if (chainHash({ prev, workspaceId, seq, digest: other.digest }) === at.hash) return true;
  }
  return false;
}

/**
 * Verifies a workspace's hash chain: walks its seals and sequence numbers in order, in batches, recomputes
 * each event's digest and each link, and names the first break (see ChainProblemKind). Then checks that
 * the log's head is where the chain ends and that no event older than the sequencer's horizon went
 * unnumbered. Reads only.
 */
export async function verifyChain(
  db: AnyDatabase,
  workspaceId: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const batch = options.batch ?? 1_000;
  const start = await startOf(db, workspaceId);
  const result: VerifyResult = {
    workspaceId,
    ok: true,
    checked: 0,
    from: start.seq + 1,
    head: { ...start },
    problem: null,
    verifiedAt: new Date(),
  };
  const cp = options.checkpoint;
  if (cp) result.checkpoint = { ...cp, status: cp.seq <= start.seq ? "before-anchor" : "missing" };
  const fail = (p: ChainProblem) => {
    result.ok = false;
    result.problem = p;
    return result;
  };

  let prev = start.hash;
  let expected = start.seq + 1;
  let waited = false;
  for (;;) {
    const last = expected + batch - 1;
    const [seals, numbers] = await Promise.all([
      db
        .select({
          seq: activitySeals.seq,
          eventId: activitySeals.eventId,
          digest: activitySeals.digest,
          hash: activitySeals.hash,
        })
        .from(activitySeals)
        .where(and(eq(activitySeals.workspaceId, workspaceId), between(activitySeals.seq, expected, last)))
        .orderBy(asc(activitySeals.seq)),
      db
        .select({
          seq: activitySequence.seq,
          eventId: activitySequence.eventId,
          occurredAt: activitySequence.occurredAt,
        })
        .from(activitySequence)
        .where(and(eq(activitySequence.workspaceId, workspaceId), between(activitySequence.seq, expected, last)))
        .orderBy(asc(activitySequence.seq)),
    ]);
    if (seals.length === 0 && numbers.length === 0) {
      const later = await firstNumberFrom(db, workspaceId, expected);
      if (later === null) break;
      return fail(problem("deleted", expected, null, `Numbers ${expected} to ${later - 1} are missing from the log.`));
    }
    const sealAt = new Map(seals.map((s) => [s.seq, s]));
    const numberAt = new Map(numbers.map((n) => [n.seq, n.eventId]));
    const events = await readEventsByKey(db, [
      ...numbers.map((n) => ({ workspaceId, id: n.eventId, occurredAt: n.occurredAt })),
      ...seals.map((s) => ({ workspaceId, id: s.eventId })),
    ]);
    const removed = await removedIds(
      db,
      workspaceId,
      seals.filter((s) => !events.has(s.eventId)).map((s) => s.eventId),
    );
    const lastHere = Math.max(seals.at(-1)?.seq ?? 0, numbers.at(-1)?.seq ?? 0);
    const lastSealHere = seals.at(-1)?.seq ?? 0;
    for (let seq = expected; seq <= lastHere; seq++) {
      const seal = sealAt.get(seq);
      const numbered = numberAt.get(seq);
      if (!seal && numbered === undefined) {
        return fail(problem("deleted", seq, null, `Number ${seq} is missing from the log.`));
      }
      if (!seal) {
        const sealedLater = lastSealHere > seq || (await firstSealFrom(db, workspaceId, seq + 1)) !== null;
        if (!sealedLater && !waited) {
          // The tail may be a tick in flight: wait for the sealing delay once, then look again.
          waited = true;
          await sleep(options.sealingDelayMs ?? 1_000);
          break;
        }
        return fail(problem("inserted", seq, numbered ?? null, `Event ${numbered} (number ${seq}) has no seal.`));
      }
      const event = events.get(seal.eventId);
      if (numbered !== undefined && numbered !== seal.eventId) {
        const moved = event !== undefined && eventDigest(event) === seal.digest;
        return fail(
          moved
            ? problem(
                "reordered",
                seq,
                numbered,
                `Number ${seq} is event ${numbered} in the log, but event ${seal.eventId} in the chain.`,
              )
            : problem(
                "inserted",
                seq,
                numbered,
                `Event ${numbered} holds number ${seq}, sealed for event ${seal.eventId}.`,
              ),
        );
      }
      if (!event) {
        if (!removed.has(seal.eventId)) {
          return fail(
            problem(
              "deleted",
              seq,
              seal.eventId,
              `Event ${seal.eventId} (number ${seq}) is gone, and no removal records it.`,
            ),
          );
        }
      } else if (numbered === undefined) {
        return fail(problem("deleted", seq, seal.eventId, `Event ${seal.eventId} lost its number ${seq}.`));
      } else if (eventDigest(event) !== seal.digest) {
        return fail(
          problem(
            "edited",
            seq,
            seal.eventId,
            `Event ${seal.eventId} (number ${seq}) was changed after it was sealed.`,
          ),
        );
      }
      if (chainHash({ prev, workspaceId, seq, digest: seal.digest }) !== seal.hash) {
        return fail(
          looksReordered(prev, workspaceId, seq, seal, sealAt.values())
            ? problem(
                "reordered",
                seq,
                seal.eventId,
                `Event ${seal.eventId} is not in the place it was sealed at (number ${seq}).`,
              )
            : problem(
                "inserted",
                seq,
                seal.eventId,
                `The seal of number ${seq} (event ${seal.eventId}) does not link to number ${seq - 1}.`,
              ),
        );
      }
      prev = seal.hash;
      result.checked++;
      result.head = { seq, hash: seal.hash };
      if (cp && seq === cp.seq) result.checkpoint = { ...cp, status: seal.hash === cp.hash ? "found" : "differs" };
      expected = seq + 1;
    }
    if (lastHere < last && !waited) {
      // A short batch is the end, unless numbers come later (a gap: the next turn names it).
      if ((await firstNumberFrom(db, workspaceId, expected)) === null) break;
    }
  }

  const [head] = await db
    .select({ seq: activityHeads.seq })
    .from(activityHeads)
    .where(eq(activityHeads.workspaceId, workspaceId));
  if (head && head.seq > result.head.seq && head.seq >= result.from) {
    return fail(
      problem(
        "deleted",
        result.head.seq + 1,
        null,
        `The log's head is ${head.seq}, but its chain ends at ${result.head.seq}.`,
      ),
    );
  }
  const unnumbered = await firstUnnumberedEvent(db, workspaceId);
  if (unnumbered !== null) {
    return fail(problem("inserted", null, unnumbered, `Event ${unnumbered} was never numbered by the sequencer.`));
  }
  if (result.checkpoint?.status === "missing") {
    return fail(
      problem(
        "truncated",
        cp!.seq,
        null,
        `The log ends at ${result.head.seq}, before the checkpoint's head ${cp!.seq}.`,
      ),
    );
  }
  if (result.checkpoint?.status === "differs") {
    return fail(problem("rewritten", cp!.seq, null, `Number ${cp!.seq} no longer has the checkpoint's hash.`));
  }
  return result;
}

async function firstNumberFrom(db: AnyDatabase, workspaceId: string, from: number): Promise<number | null> {
  const [[a], [b]] = await Promise.all([
    db
      .select({ seq: min(activitySeals.seq) })
      .from(activitySeals)
      .where(and(eq(activitySeals.workspaceId, workspaceId), gte(activitySeals.seq, from))),
    db
      .select({ seq: min(activitySequence.seq) })
      .from(activitySequence)
      .where(and(eq(activitySequence.workspaceId, workspaceId), gte(activitySequence.seq, from))),
  ]);
  const found = [a?.seq, b?.seq].filter((s) => s !== null && s !== undefined).map(Number);
  return found.length ? Math.min(...found) : null;
}

async function firstSealFrom(db: AnyDatabase, workspaceId: string, from: number): Promise<number | null> {
  const [row] = await db
    .select({ seq: min(activitySeals.seq) })
    .from(activitySeals)
    .where(and(eq(activitySeals.workspaceId, workspaceId), gte(activitySeals.seq, from)));
  return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
}

/**
 * An event of the workspace from a transaction older than the sequencer's horizon that has no number: the
 * sequencer numbered everything before the horizon, so it was written around it (with a forged tx_id).
 */
async function firstUnnumberedEvent(db: AnyDatabase, workspaceId: string): Promise<number | null> {
  const [state] = await db.select({ horizon: activitySequencer.horizon }).from(activitySequencer);
  const rows = rowsOf<{ id: string | number }>(
    await db.execute(sql`SELECT e.id FROM activity_events AS e
       WHERE e.workspace_id = ${workspaceId} AND e.tx_id < ${state?.horizon ?? 0}::bigint
         AND ${NOT_NUMBERED}
       ORDER BY e.id LIMIT 1`),
  );
  return rows[0] ? Number(rows[0].id) : null;
}

/** Every workspace with a log (for verifying them all). */
export async function chainWorkspaces(db: AnyDatabase): Promise<string[]> {
  const rows = await db
    .select({ workspaceId: activityHeads.workspaceId })
    .from(activityHeads)
    .orderBy(asc(activityHeads.workspaceId));
  return rows.map((r) => r.workspaceId);
}
