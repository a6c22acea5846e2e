import { type SQL, sql } from "drizzle-orm";
import { chainHash, eventDigest, GENESIS_HASH } from "./canonical";
import type { AnyDatabase } from "./database";
import { readEventsByKey } from "./event-rows";
import { rowsOf } from "./rows";
import { activitySeals } from "./schema";

/** Seals written per workspace and tick; a longer backlog (an upgrade, say) continues on the next ticks. */
export const SEAL_BATCH = 5_000;
const INSERT_CHUNK = 2_000;

/** Where a workspace's chain ends: its last seal, or the retention anchor it starts again from. */
export interface ChainEnd {
  seq: number;
  hash: string;
}

/** Checkpoints the sequencer takes by itself: one every `events` events, or every `minutes` that saw one. */
export interface PeriodicCheckpoints {
  events?: number;
  minutes?: number;
}

export const DEFAULT_PERIODIC_CHECKPOINTS: Required<PeriodicCheckpoints> = { events: 10_000, minutes: 60 };

const workspaceList = (workspaceIds: readonly string[]) =>
  sql`ARRAY[${sql.join(
    workspaceIds.map((w) => sql`${w}`),
    sql`, `,
  )}]::text[]`;

/**
 * The SQL of each listed workspace's chain end: the later of its last seal and its latest retention anchor
 * (after retention dropped seals, the anchor holds the hash the next seal links to).
 */
export const chainEndsSql = (workspaceIds: readonly string[]): SQL => sql`
  SELECT w.workspace_id,
         CASE WHEN a.seq IS NOT NULL AND (l.seq IS NULL OR a.seq > l.seq) THEN a.seq ELSE coalesce(l.seq, 0) END AS seq,
         CASE WHEN a.seq IS NOT NULL AND (l.seq IS NULL OR a.seq > l.seq) THEN a.hash ELSE coalesce(l.hash, ${GENESIS_HASH}) END AS hash
    FROM unnest(${workspaceList(workspaceIds)}) AS w(workspace_id)
    LEFT JOIN LATERAL (SELECT s.seq, s.hash FROM activity_seals AS s
                        WHERE s.workspace_id = w.workspace_id ORDER BY s.seq DESC LIMIT 1) AS l ON true
    LEFT JOIN LATERAL (SELECT c.seq, c.hash FROM activity_checkpoints AS c
                        WHERE c.workspace_id = w.workspace_id AND c.kind = 'retention'
                        ORDER BY c.seq DESC LIMIT 1) AS a ON true`;

/**
 * Seals the sequenced events of the given workspaces that have no seal yet, in sequence order, each linked
 * to the one before: digests and hashes computed here, from the workspace's chain end. Runs inside the
 * sequencer's tick (its transaction holds the leader lock), so two app instances never seal the same
 * workspace at once and the chain cannot fork; the primary key would refuse a second seal of a number anyway.
 *
 * Stops at an event whose row is gone (nothing to digest): verify names it. Returns the new chain end of
 * each workspace it sealed something in, and the workspaces with more left to seal.
 */
export async function sealPending(
  tx: AnyDatabase,
  workspaceIds: readonly string[],
): Promise<{ ends: Record<string, ChainEnd>; more: string[] }> {
  const ends: Record<string, ChainEnd> = {};
  const more: string[] = [];
  if (workspaceIds.length === 0) return { ends, more };
  const current = new Map<string, ChainEnd>();
  const pending = rowsOf<{
    workspace_id: string;
    end_seq: string | number;
    end_hash: string;
    seq: string | number | null;
    event_id: string | number | null;
    occurred_at: Date | string | null;
  }>(
    await tx.execute(sql`
      WITH ends AS (${chainEndsSql(workspaceIds)})
      SELECT e.workspace_id, e.seq AS end_seq, e.hash AS end_hash, q.seq, q.event_id, q.occurred_at
        FROM ends AS e
        LEFT JOIN LATERAL (SELECT s.seq, s.event_id, s.occurred_at FROM activity_sequence AS s
                            WHERE s.workspace_id = e.workspace_id AND s.seq > e.seq
                            ORDER BY s.seq LIMIT ${SEAL_BATCH}) AS q ON true
       ORDER BY e.workspace_id, q.seq`),
  );
  const events = await readEventsByKey(
    tx,
    pending.flatMap((p) =>
      p.event_id === null ? [] : [{ workspaceId: p.workspace_id, id: Number(p.event_id), occurredAt: p.occurred_at }],
    ),
  );
  const seals: (typeof activitySeals.$inferInsert)[] = [];
  const counts = new Map<string, number>();
  const stopped = new Set<string>();
  for (const p of pending) {
    if (!current.has(p.workspace_id)) current.set(p.workspace_id, { seq: Number(p.end_seq), hash: p.end_hash });
    const end = current.get(p.workspace_id)!;
    if (p.seq === null || p.event_id === null || stopped.has(p.workspace_id)) continue;
    const seq = Number(p.seq);
    const event = events.get(Number(p.event_id));
    // A gap in the numbers or a missing row is for verify to report; sealing past it would hide it.
    if (!event || seq !== end.seq + 1) {
      stopped.add(p.workspace_id);
      continue;
    }
    const digest = eventDigest(event);
    const hash = chainHash({ prev: end.hash, workspaceId: p.workspace_id, seq, digest });
    seals.push({ workspaceId: p.workspace_id, seq, eventId: event.id, digest, hash });
    current.set(p.workspace_id, { seq, hash });
    ends[p.workspace_id] = { seq, hash };
    counts.set(p.workspace_id, (counts.get(p.workspace_id) ?? 0) + 1);
  }
  for (let i = 0; i < seals.length; i += INSERT_CHUNK) {
    await tx.insert(activitySeals).values(seals.slice(i, i + INSERT_CHUNK));
  }
  for (const [workspaceId, n] of counts) if (n >= SEAL_BATCH) more.push(workspaceId);
  return { ends, more };
}

/** Workspaces whose log has numbers past their last seal: after an upgrade, or a backlog another instance left. */
export async function unsealedWorkspaces(tx: AnyDatabase): Promise<string[]> {
  const rows = rowsOf<{ workspace_id: string }>(
    await tx.execute(sql`
      SELECT h.workspace_id FROM activity_heads AS h
       WHERE h.seq > coalesce((SELECT max(s.seq) FROM activity_seals AS s WHERE s.workspace_id = h.workspace_id), 0)`),
  );
  return rows.map((r) => r.workspace_id);
}

/** Takes a `periodic` checkpoint of each chain end that is `every.events` past the last one, or `every.minutes` later. */
export async function takePeriodicCheckpoints(
  tx: AnyDatabase,
  ends: Record<string, ChainEnd>,
  every: PeriodicCheckpoints = DEFAULT_PERIODIC_CHECKPOINTS,
): Promise<void> {
  const entries = Object.entries(ends);
  if (entries.length === 0) return;
  const events = every.events ?? DEFAULT_PERIODIC_CHECKPOINTS.events;
  const minutes = every.minutes ?? DEFAULT_PERIODIC_CHECKPOINTS.minutes;
  const values = sql.join(
    entries.map(([w, end]) => sql`(${w}::text, ${end.seq}::bigint, ${end.hash}::text)`),
    sql`, `,
  );
  await tx.execute(sql`
    INSERT INTO activity_checkpoints (workspace_id, seq, hash, count, kind)
    SELECT h.workspace_id, h.seq, h.hash, h.seq, 'periodic'
      FROM (VALUES ${values}) AS h(workspace_id, seq, hash)
      LEFT JOIN LATERAL (SELECT c.seq, c.taken_at FROM activity_checkpoints AS c
                          WHERE c.workspace_id = h.workspace_id AND c.kind = 'periodic'
                          ORDER BY c.id DESC LIMIT 1) AS c ON true
     WHERE h.seq > 0 AND (c.seq IS NULL
        OR h.seq - c.seq >= ${events}
        OR (h.seq > c.seq AND c.taken_at <= now() - make_interval(mins => ${minutes}::int)))`);
}
