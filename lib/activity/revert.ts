import { and, eq, sql } from "drizzle-orm";
import type { Actor } from "./actor";
import type { AnyDatabase } from "./database";
import { pgArray } from "./pg-array";
import type { AnyTrackedTable } from "./registry";
import { rowsOf } from "./rows";
import { activityEvents } from "./schema";
import { currentRow, type Row, registrationOf } from "./time-travel";
import { type Json, REDACTED, type RecordRef } from "./types";

/** A field that changed since the event: what it is now, what the event left, what the revert would write. */
export interface RevertConflict {
  record: RecordRef;
  field: string;
  current: Json | undefined;
  expected: Json | undefined;
  intended: Json | undefined;
}

export type RevertResult =
  | { ok: true; data: { revertedEventId: number; record: RecordRef | null; subject: string } }
  | {
      ok: false;
      error: { code: "not_found" | "conflict" | "bad_request"; message: string; conflicts?: RevertConflict[] };
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
  | { ok: true; steps: Step[]; conflicts: RevertConflict[]; record: RecordRef | null; subject: string }
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
      error: { code: "bad_request", message: "That event changed no record: there is nothing to revert." },
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
    const key = `${change.type}:${change.id}`;
    const current = projected.has(key) ? projected.get(key)! : await currentRow(tx, table, change.id, { lock: true });
    // A revert never reaches into another workspace, whatever the event recorded.
    const rowWorkspace = (current ?? (change.op === "update" ? null : change.row))?.[table.workspaceColumn];
    if (rowWorkspace !== undefined && rowWorkspace !== null && String(rowWorkspace) !== workspaceId) {
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
            error: { code: "bad_request", message: `${field} is redacted in the log and cannot be restored.` },
          };
        }
        if (!same(current[field], after))
          conflicts.push({ record, field, current: current[field], expected: after, intended: before });
        patch[field] = before;
      }
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
            code: "bad_request",
            message: `A ${change.type} has redacted columns and cannot be recreated from the log.`,
          },
        };
      }
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
  return { ok: true, steps, conflicts, record, subject: `reverted: ${event.subject}` };
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
  options: { force?: boolean } = {},
): Promise<RevertResult> {
  return withTracking(
    actor,
    async (tx) => {
      const plan = await planRevert(tx, tables, eventId, String(actor.workspaceId));
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
      for (const step of plan.steps) await step(tx);
      return { ok: true, data: { revertedEventId: eventId, record: plan.record, subject: plan.subject } };
    },
    {
      record: (r) => r.data.record ?? { type: "event", id: String(eventId) },
      metadata: { revertedEventId: eventId, forced: Boolean(options.force) },
    },
  );
}
