import { and, asc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { type JsonValue, scalarDigest, valueDigest } from "./canonical";
import type { AnyDatabase } from "./database";
import { ERASED, jsonPointer } from "./pointer";
import { type AnyTrackedTable, registrationOf } from "./registry";
import { rowsOf } from "./rows";
import { type ActivityEventRow, activityEvents } from "./schema";
import { touchingRecord } from "./touching";
import { REDACTED, type RowChange } from "./types";

/** The value an erased text column shows (`actor_label`, `subject`); the others become null. */
export { ERASED };

/** What an erasure did. */
export interface ErasureResult {
  /** Events that had something erased (events already erased count once, the first time). */
  events: number;
}

/** One event's part of a call of `activity_erase`: columns to erase, and pointers into `changes` with digests. */
interface EventErasure {
  id: number;
  /** With `occurredAt`, the event's key: the routine finds it in its month's partition alone. */
  workspace: string;
  occurredAt: string;
  columns: string[];
  values: Record<string, string>;
}

const BATCH = 500;

const keyOf = (row: Pick<ActivityEventRow, "id" | "workspaceId" | "occurredAt">) => ({
  id: row.id,
  workspace: row.workspaceId,
  occurredAt: row.occurredAt.toISOString(),
});

async function erase(db: AnyDatabase, reason: string, events: EventErasure[]): Promise<number> {
  if (events.length === 0) return 0;
  const [row] = rowsOf<{ changed: number | string }>(
    await db.execute(sql`select activity_erase(${JSON.stringify({ reason, events })}::jsonb) as changed`),
  );
  return Number(row?.changed ?? 0);
}

/**
 * Erases an actor's personal data from every past event they did: their name (actor_label, shown as
 * "erased"), their id, and the request's IP address and user agent. Also finds the events of a deleted
 * user, whose id the actor-deletion trigger already replaced by its digest. Everything else stays: the
 * action, the record, the changes, the counts; and each erased value's digest, so the hash chain still
 * verifies. In batches, through the owner's routine `activity_erase`, which records each event it changed
 * in `activity_removals` (reason `erasure`). Erasing twice changes nothing more.
 */
export async function eraseActor(
  db: AnyDatabase,
  actorId: string | number,
  options: { actorType?: string; reason?: string } = {},
): Promise<ErasureResult> {
  const id = String(actorId);
  const type = options.actorType ?? "user";
  const e = activityEvents;
  let after = 0;
  let events = 0;
  for (;;) {
    const ids = await db
      .select({ id: e.id, workspaceId: e.workspaceId, occurredAt: e.occurredAt })
      .from(e)
      .where(
        and(
          gt(e.id, after),
          eq(e.actorType, type),
          or(eq(e.actorId, id), and(isNull(e.actorId), sql`${e.erased} ->> '/actor_id' = ${scalarDigest(id)}`)),
        ),
      )
      .orderBy(asc(e.id))
      .limit(BATCH);
    const columns = ["actor_label", "actor_id", "ip", "user_agent"];
    events += await erase(
      db,
      options.reason ?? "actor",
      ids.map((r) => ({ ...keyOf(r), columns, values: {} })),
    );
    if (ids.length < BATCH) return { events };
    after = ids.at(-1)!.id;
  }
}

/** The pointers (with the digests of their values) of a record's personal values in one event's changes. */
export function personalValues(
  row: Pick<ActivityEventRow, "changes" | "erased">,
  type: string,
  id: string,
  personal: readonly string[],
): Record<string, string> {
  const values: Record<string, string> = {};
  const take = (pointer: string, value: JsonValue | undefined) => {
    // Nothing personal in an empty or redacted value: it keeps its place in the diff as it is.
    if (value === undefined || value === null || value === "" || value === REDACTED || row.erased?.[pointer]) return;
    values[pointer] = valueDigest(value);
  };
  (row.changes as RowChange[]).forEach((change, i) => {
    if (change.type !== type || String(change.id) !== id) return;
    for (const column of personal) {
      if (change.op === "update") {
        const pair = change.changes[column];
        if (!pair) continue;
        take(jsonPointer("changes", i, "changes", column, 0), pair[0] as JsonValue);
        take(jsonPointer("changes", i, "changes", column, 1), pair[1] as JsonValue);
      } else take(jsonPointer("changes", i, "row", column), change.row[column] as JsonValue);
    }
  });
  return values;
}

/**
 * Erases a record's personal data from past events: the values of the columns its registration marks
 * `personal` in every change of it (and the subject of its own events, when its label column is personal),
 * keeping the changes' structure, the other fields' diffs and the events' counts. Each value's digest stays
 * in `erased`, so the chain still verifies. Through the owner's routine `activity_erase`, which records
 * each event it changed in `activity_removals`. An unknown type is an `invalid_record` error.
 */
export async function eraseRecord(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  type: string,
  recordId: string | number,
  options: { reason?: string } = {},
): Promise<ErasureResult> {
  const registration = registrationOf(tables, type);
  const id = String(recordId);
  const personal = registration.personalColumns;
  const subjectIsPersonal = registration.labelColumn !== null && personal.includes(registration.labelColumn);
  if (personal.length === 0) return { events: 0 };
  const e = activityEvents;
  let after = 0;
  let events = 0;
  for (;;) {
    const rows = await db
      .select({
        id: e.id,
        workspaceId: e.workspaceId,
        occurredAt: e.occurredAt,
        recordType: e.recordType,
        recordId: e.recordId,
        changes: e.changes,
        erased: e.erased,
      })
      .from(e)
      .where(and(gt(e.id, after), touchingRecord({ type, id })))
      .orderBy(asc(e.id))
      .limit(BATCH);
    const erasures = rows.map((row) => ({
      ...keyOf(row),
      columns: subjectIsPersonal && row.recordType === type && row.recordId === id ? ["subject"] : [],
      values: personalValues(row, type, id, personal),
    }));
    events += await erase(
      db,
      options.reason ?? "record",
      erasures.filter((x) => x.columns.length > 0 || Object.keys(x.values).length > 0),
    );
    if (rows.length < BATCH) return { events };
    after = rows.at(-1)!.id;
  }
}
