import { and, type SQL, sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { pgArray } from "./pg-array";
import { type ActivityEventRow, activityEvents } from "./schema";

const CHUNK = 5_000;

/**
 * The condition that event `e` has no number yet (the sequencer's batch, verify's check for an event written
 * around it): by `activity_sequence_event_key`, which leads with the workspace, like every lookup by event.
 */
export const NOT_NUMBERED = sql.raw(
  "NOT EXISTS (SELECT 1 FROM activity_sequence AS s WHERE s.workspace_id = e.workspace_id AND s.event_id = e.id)",
);

/** Where an event is: its workspace, its id, and its time when the row at hand knows it. */
export interface EventKey {
  workspaceId: string;
  id: number;
  occurredAt?: Date | string | null;
}

/** A key's time as PostgreSQL reads it back, or null: none, or none a `Date` holds (`-infinity`). */
function timeOf(key: EventKey): string | null {
  const at = key.occurredAt;
  if (at instanceof Date) return Number.isNaN(at.getTime()) ? null : at.toISOString();
  return at ?? null;
}

/**
 * Events by key, read through drizzle's column mapping: sealing and verifying digest exactly the same values
 * (a `Date` for `occurred_at`, parsed jsonb), whatever the driver.
 *
 * Each lookup carries the workspace (one shard once the table is distributed by it) and, for the keys that
 * have one, the time: the events table is partitioned by month, and `occurred_at = any(...)` lets the planner
 * read only those months' partitions. A key whose event is not where its time says (none known, or the row
 * was moved) is looked for again by workspace and id alone. An event found under another workspace than its
 * key's is not returned.
 */
export async function readEventsByKey(
  db: AnyDatabase,
  keys: readonly EventKey[],
): Promise<Map<number, ActivityEventRow>> {
  const byId = new Map<number, ActivityEventRow>();
  const wanted = new Map<number, EventKey>();
  for (const key of keys) {
    const seen = wanted.get(key.id);
    if (!seen || (timeOf(seen) === null && timeOf(key) !== null)) wanted.set(key.id, key);
  }
  const read = async (chunk: EventKey[], timed: boolean) => {
    for (const row of await eventsByKeyQuery(db, chunk, timed)) {
      if (wanted.get(row.id)?.workspaceId === row.workspaceId) byId.set(row.id, row);
    }
  };
  const inChunks = async (list: EventKey[], timed: boolean) => {
    for (let i = 0; i < list.length; i += CHUNK) await read(list.slice(i, i + CHUNK), timed);
  };
  await inChunks(
    [...wanted.values()].filter((k) => timeOf(k) !== null),
    true,
  );
  await inChunks(
    [...wanted.values()].filter((k) => !byId.has(k.id)),
    false,
  );
  return byId;
}

/**
 * The query of readEventsByKey for one chunk of keys: by workspace and id, and with `timed` by their times
 * too (every key must have one then).
 */
export function eventsByKeyQuery(db: AnyDatabase, keys: readonly EventKey[], timed: boolean) {
  const e = activityEvents;
  const conditions: SQL[] = [
    sql`${e.workspaceId} = any(${pgArray([...new Set(keys.map((k) => k.workspaceId))])}::text[])`,
    sql`${e.id} = any(${pgArray(keys.map((k) => String(k.id)))}::bigint[])`,
  ];
  if (timed) {
    const times = keys.flatMap((k) => timeOf(k) ?? []);
    conditions.push(sql`${e.occurredAt} = any(${pgArray([...new Set(times)])}::timestamptz[])`);
  }
  return db
    .select()
    .from(e)
    .where(and(...conditions));
}
