import { and, desc, eq, sql } from "drizzle-orm";
import type { Actor } from "./actor";
import type { AnyDatabase } from "./database";
import type { ActivityErrorCode } from "./errors";
import { pgArray } from "./pg-array";
import type { ReadableConflict } from "./readable";
import { currentRow, type Row } from "./records";
import { type AnyTrackedTable, formatRecordKey, registrationOf } from "./registry";
import { rowsOf } from "./rows";
import { activityEvents } from "./schema";
import { changesOf, touchingRecord } from "./touching";
import { type Json, REDACTED, type RecordRef } from "./types";
import { rowInWorkspace, workspaceKey } from "./workspace";

/** A field that changed since the event: what it is now, what the event left, what the revert would write. */
export interface RevertConflict {
  record: RecordRef;
  field: string;
  current: Json | undefined;
  expected: Json | undefined;
  intended: Json | undefined;
  /** The same as people read it (the registration's label and format, names resolved): set by `kit.revert`. */
  readable?: ReadableConflict;
}

/** A record the revert would need and that is gone, and the event that deleted it (when the log has it). */
export interface RevertBlocker {
  /** The missing parent: a tracked record, or a row of an untracked table (`type` is then the table). */
  record: RecordRef;
  /** Whether the parent is a tracked record (its deletion is in the log, and can be reverted). */
  tracked: boolean;
  /** The event that deleted it: the one to revert first (null when the log does not have it). */
  eventId: number | null;
}

/**
 * `parent_missing`: the revert would restore a reference to a row that no longer exists (a comment whose
 * task was deleted since): `blockedBy` names it. `nothing_to_revert`: what the event did is already undone
 * (the row it inserted is gone). Neither writes anything.
 */
/** Why a revert was refused: codes of the kit's one list (`ActivityError`), each with its HTTP status. */
export type RevertErrorCode = Extract<
  ActivityErrorCode,
  "not_found" | "conflict" | "not_revertible" | "parent_missing" | "nothing_to_revert"
>;

/** What `kit.revert` returns: the revert event's data, or a refusal with its code (and the conflicts). */
export type RevertResult =
  | { ok: true; data: { revertedEventId: number; record: RecordRef | null; subject: string } }
  | {
      ok: false;
      error: {
        code: RevertErrorCode;
        message: string;
        conflicts?: RevertConflict[];
        blockedBy?: RevertBlocker;
      };
    };

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

type Step = (tx: AnyDatabase) => Promise<unknown>;

function updateStep(table: AnyTrackedTable, id: string, patch: Row): Step {
  const columns = sql.join(
    Object.keys(patch).map((c) => sql.identifier(c)),
    sql`, `,
  );
  return (tx) =>
    tx.execute(sql`update ${sql.identifier(table.tableName)} set (${columns}) =
      (select ${columns} from jsonb_populate_record(null::${sql.identifier(table.tableName)}, ${JSON.stringify(patch)}::jsonb))
      where ${sql.identifier(table.primaryKey)} = ${id}::${sql.raw(table.primaryKeyType)}`);
}

function insertStep(table: AnyTrackedTable, row: Row): Step {
  return (tx) =>
    tx.execute(sql`insert into ${sql.identifier(table.tableName)} overriding system value
      select * from jsonb_populate_record(null::${sql.identifier(table.tableName)}, ${JSON.stringify(row)}::jsonb)`);
}

function deleteStep(table: AnyTrackedTable, id: string): Step {
  return (tx) =>
    tx.execute(sql`delete from ${sql.identifier(table.tableName)}
      where ${sql.identifier(table.primaryKey)} = ${id}::${sql.raw(table.primaryKeyType)}`);
}

/** How deep each table sits under the others among these, by foreign key (a parent is shallower). */
async function foreignKeyDepth(tx: AnyDatabase, tableNames: string[]): Promise<Map<string, number>> {
  const names = pgArray(tableNames);
  const result = await tx.execute(sql`
    with involved as (select to_regclass(quote_ident(n)) as oid from unnest(${names}::text[]) as n)
    select child.relname as child, parent.relname as parent
      from pg_constraint as k
      join pg_class as child on child.oid = k.conrelid
      join pg_class as parent on parent.oid = k.confrelid
     where k.contype = 'f' and k.conrelid <> k.confrelid
       and k.conrelid in (select oid from involved) and k.confrelid in (select oid from involved)`);
  const parents = new Map<string, string[]>();
  for (const { child, parent } of rowsOf<{ child: string; parent: string }>(result)) {
    parents.set(child, [...(parents.get(child) ?? []), parent]);
  }
  const depth = new Map<string, number>();
  const visit = (table: string, seen: Set<string>): number => {
    if (depth.has(table)) return depth.get(table)!;
    if (seen.has(table)) return 0;
    seen.add(table);
    const d = Math.max(-1, ...(parents.get(table) ?? []).map((p) => visit(p, seen))) + 1;
    depth.set(table, d);
    return d;
  };
  for (const table of tableNames) visit(table, new Set());
  return depth;
}

interface ForeignKey {
  parent: string;
  columns: string[];
  parentColumns: string[];
}

/** The table's foreign keys, each with its columns and the parent's, in order. */
async function foreignKeysOf(tx: AnyDatabase, tableName: string): Promise<ForeignKey[]> {
  const columnsOf = (relation: string, numbers: string) =>
    sql.raw(`to_json(array(
      select a.attname from unnest(k.${numbers}) with ordinality as c(n, i)
        join pg_attribute as a on a.attrelid = k.${relation} and a.attnum = c.n order by c.i))`);
  const result = await tx.execute(sql`
    select parent.relname as parent, ${columnsOf("conrelid", "conkey")} as columns,
           ${columnsOf("confrelid", "confkey")} as "parentColumns"
      from pg_constraint as k join pg_class as parent on parent.oid = k.confrelid
     where k.contype = 'f' and k.conrelid = to_regclass(quote_ident(${tableName}))`);
  return rowsOf<ForeignKey>(result);
}

/**
 * The first parent that `row` (restored into `table`) would refer to and that does not exist, nor is
 * recreated by this revert (`projected`). Only the foreign keys among `columns` are checked (an update
 * writes those only). Checking first, rather than letting the insert fail, is what lets the revert say
 * which record blocks it.
 */
async function missingParent(
  tx: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  table: AnyTrackedTable,
  row: Row,
  columns: string[],
  projected: Map<string, Row | null>,
  workspaceId: string,
): Promise<RevertBlocker | null> {
  for (const key of await foreignKeysOf(tx, table.tableName)) {
    if (!key.columns.some((c) => columns.includes(c))) continue;
    const values = key.columns.map((c) => row[c]);
    if (values.some((v) => v === null || v === undefined)) continue; // MATCH SIMPLE: no reference
    const parentTable = tables.find((t) => t.tableName === key.parent);
    const tracked = parentTable && key.parentColumns.length === 1 && key.parentColumns[0] === parentTable.primaryKey;
    const record = tracked
      ? { type: parentTable.type, id: String(values[0]) }
      : { type: key.parent, id: values.map(String).join(",") };
    const planned = projected.get(formatRecordKey(record));
    if (planned !== undefined) {
      if (planned) continue;
    } else {
      const probe = JSON.stringify(Object.fromEntries(key.parentColumns.map((c, i) => [c, values[i]])));
      const match = sql.join(
        key.parentColumns.map((c) => sql`p.${sql.identifier(c)} = r.${sql.identifier(c)}`),
        sql` and `,
      );
      // Locked like the foreign key's own check would, so it cannot go between this check and the write.
      const found = await tx.execute(sql`select 1 as found from ${sql.identifier(key.parent)} as p,
        jsonb_populate_record(null::${sql.identifier(key.parent)}, ${probe}::jsonb) as r where ${match}
        limit 1 for key share of p`);
      if (rowsOf(found).length > 0) continue;
    }
    let eventId: number | null = null;
    if (tracked) {
      // The newest event of the workspace that deleted the parent: the one to revert first.
      const events = await tx
        .select({ id: activityEvents.id, changes: activityEvents.changes })
        .from(activityEvents)
        .where(and(eq(activityEvents.workspaceId, workspaceId), touchingRecord(record)))
        .orderBy(desc(activityEvents.occurredAt), desc(activityEvents.id))
        .limit(100);
      eventId = events.find((e) => changesOf(e, record).some((c) => c.op === "delete"))?.id ?? null;
    }
    return { record, tracked: Boolean(tracked), eventId };
  }
  return null;
}

function blocked(change: { type: string; id: string }, blocker: RevertBlocker): Extract<RevertResult, { ok: false }> {
  const { record, tracked, eventId } = blocker;
  const message = tracked
    ? `${formatRecordKey(change)} cannot be restored: its ${record.type} (${formatRecordKey(record)}) was deleted. Revert that first${eventId === null ? "" : ` (event ${eventId})`}.`
    : `${formatRecordKey(change)} cannot be restored: the row of ${record.type} it refers to (${record.id}) no longer exists.`;
  return { ok: false, error: { code: "parent_missing", message, blockedBy: blocker } };
}

/**
 * Plans the revert of an event inside the caller's transaction, with every row it touches locked: each
 * update's fields go back to their values before it, a deleted record is recreated, an inserted one is
 * deleted — all of the event's row changes (a cascade included), newest first. A field that changed since
 * the event is a conflict.
 */
export async function planRevert(
  tx: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  eventId: number,
  workspaceId: string,
): Promise<
  | {
      ok: true;
      steps: Step[];
      conflicts: RevertConflict[];
      record: RecordRef | null;
      subject: string;
    }
  | Extract<RevertResult, { ok: false }>
> {
  const [event] = await tx
    .select()
    .from(activityEvents)
    .where(and(eq(activityEvents.id, eventId), eq(activityEvents.workspaceId, workspaceId)));
  if (!event)
    return { ok: false, error: { code: "not_found", message: "That event does not exist in this workspace." } };
  if (event.changes.length === 0) {
    return {
      ok: false,
      error: { code: "not_revertible", message: "That event changed no record: there is nothing to revert." },
    };
  }
  const steps: Step[] = [];
  const conflicts: RevertConflict[] = [];
  const depth = await foreignKeyDepth(tx, [
    ...new Set(event.changes.map((c) => registrationOf(tables, c.type).tableName)),
  ]);
  // Recreate parents before their children, delete children before their parents.
  const ordered = [...event.changes].reverse().sort((a, b) => {
    const da = depth.get(registrationOf(tables, a.type).tableName) ?? 0;
    const db = depth.get(registrationOf(tables, b.type).tableName) ?? 0;
    return a.op === "insert" && b.op === "insert" ? db - da : da - db;
  });
  const projected = new Map<string, Row | null>();
  for (const change of ordered) {
    const table = registrationOf(tables, change.type);
    const record = { type: change.type, id: change.id };
    // What the record will be once the event's newer changes are undone: an event that changed one row
    // twice is checked against the state between them, not against the row as it is now.
    const key = formatRecordKey(record);
    const current = projected.has(key) ? projected.get(key)! : await currentRow(tx, table, change.id, { lock: true });
    // A revert never reaches into another workspace, whatever the event recorded.
    const row = current ?? (change.op === "update" ? null : change.row);
    if (row && !rowInWorkspace(table, row, workspaceId)) {
      return { ok: false, error: { code: "not_found", message: "That event changed a record of another workspace." } };
    }
    if (change.op === "update") {
      if (!current) {
        conflicts.push({ record, field: "(record)", current: null, expected: "exists", intended: "exists" });
        continue;
      }
      const patch: Row = {};
      for (const [field, [before, after]] of Object.entries(change.changes)) {
        if (before === REDACTED) {
          return {
            ok: false,
            error: { code: "not_revertible", message: `${field} is redacted in the log and cannot be restored.` },
          };
        }
        if (!same(current[field], after))
          conflicts.push({ record, field, current: current[field], expected: after, intended: before });
        patch[field] = before;
      }
      const parent = await missingParent(
        tx,
        tables,
        table,
        { ...current, ...patch },
        Object.keys(patch),
        projected,
        workspaceId,
      );
      if (parent) return blocked(record, parent);
      steps.push(updateStep(table, change.id, patch));
      projected.set(key, { ...current, ...patch });
    } else if (change.op === "delete") {
      if (current) {
        conflicts.push({ record, field: "(record)", current: "exists", expected: null, intended: "recreated" });
        continue;
      }
      if (table.redactColumns.length > 0) {
        return {
          ok: false,
          error: {
            code: "not_revertible",
            message: `A ${change.type} has redacted columns and cannot be recreated from the log.`,
          },
        };
      }
      const parent = await missingParent(
        tx,
        tables,
        table,
        change.row,
        Object.keys(change.row),
        projected,
        workspaceId,
      );
      if (parent) return blocked(record, parent);
      steps.push(insertStep(table, change.row));
      projected.set(key, change.row);
    } else {
      if (!current) continue; // already gone
      for (const [field, value] of Object.entries(change.row)) {
        if (table.ignoreColumns.includes(field) || table.redactColumns.includes(field)) continue;
        if (!same(current[field], value))
          conflicts.push({ record, field, current: current[field], expected: value, intended: null });
      }
      steps.push(deleteStep(table, change.id));
      projected.set(key, null);
    }
  }
  const record = event.recordType && event.recordId ? { type: event.recordType, id: event.recordId } : null;
  // The record as the reverted event named it: the feed line already says "reverted" (a prefix here made
  // "reverted reverted: …" of a revert's revert). Events stored with the prefix lose it too.
  const subject = event.subject.replace(/^(reverted: )+/, "");
  return { ok: true, steps, conflicts, record, subject };
}

/** What a revert is given besides the event: whether to overwrite conflicts, why, and whose change it undoes. */
export interface RevertOptions {
  force?: boolean;
  /** Why the change is undone: stored as the revert event's `metadata.reason` (up to 500 characters). */
  reason?: string;
  /** Who made the change, as its event names them: stored as `metadata.revertedActor` ("Bob's change"). */
  revertedActor?: string;
}

/** The revert as the kit runs it: one tracked transaction (action `revert`), refused on conflict unless forced. */
export async function revertEvent(
  withTracking: (
    actor: Actor,
    fn: (tx: AnyDatabase) => Promise<RevertResult>,
    options: { record: (r: Extract<RevertResult, { ok: true }>) => RecordRef; metadata: Record<string, unknown> },
  ) => Promise<RevertResult>,
  tables: readonly AnyTrackedTable[],
  actor: Actor,
  eventId: number,
  options: RevertOptions = {},
): Promise<RevertResult> {
  const reason = options.reason?.trim().slice(0, 500);
  return withTracking(
    actor,
    async (tx) => {
      const plan = await planRevert(tx, tables, eventId, workspaceKey(actor.workspaceId));
      if (!plan.ok) return plan;
      if (plan.conflicts.length > 0 && !options.force) {
        const fields = plan.conflicts.map((c) => c.field).join(", ");
        return {
          ok: false,
          error: {
            code: "conflict",
            message: `Changed since this event: ${fields}. Confirm to overwrite.`,
            conflicts: plan.conflicts,
          },
        };
      }
      // Nothing left to undo (the row the event inserted is already gone): say so, and store no event.
      if (plan.steps.length === 0) {
        return {
          ok: false,
          error: { code: "nothing_to_revert", message: "Nothing to undo: this change is already undone." },
        };
      }
      for (const step of plan.steps) await step(tx);
      return { ok: true, data: { revertedEventId: eventId, record: plan.record, subject: plan.subject } };
    },
    {
      record: (r) => r.data.record ?? { type: "event", id: String(eventId) },
      metadata: {
        revertedEventId: eventId,
        forced: Boolean(options.force),
        ...(reason ? { reason } : {}),
        ...(options.revertedActor !== undefined ? { revertedActor: options.revertedActor } : {}),
      },
    },
  );
}
