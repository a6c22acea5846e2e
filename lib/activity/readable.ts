import { getTableName, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { AnyDatabase } from "./database";
import { ERASED, jsonPointer } from "./pointer";
import { ActivityError } from "./errors";
import type { TrackedField } from "./fields";
import { fitsKeyType } from "./keys";
import { pgArray } from "./pg-array";
import { type AnyTrackedTable, keyCastType } from "./registry";
import { rowsOf } from "./rows";
import { type Json, REDACTED, type RecordRef, type RowChange } from "./types";

/** The host's people, as the kit knows them: their table, key and (optionally) the column naming them. */
export interface ActorsTable {
  table: PgTable;
  id: PgColumn;
  /** The column with a person's name ("Bob Brown"); without it, names come from the events they made. */
  label?: PgColumn;
}

/** One field of a change as people read it: "Assignee: none → Bob Brown". */
export interface ReadableField {
  /** The column's database name. */
  field: string;
  label: string;
  /** Absent when the record did not exist before (a create). */
  before?: string;
  /** Absent when the record no longer exists after (a delete). */
  after?: string;
}

/** One record's change as people read it: its name and the fields worth showing. */
export interface ReadableChange extends RecordRef {
  op: RowChange["op"];
  /** The record's name now, or as it was when last recorded if it is gone; null for a table without a label. */
  label: string | null;
  fields: ReadableField[];
}

/** What a `ref` can point to: a registered record type, or the actors. */
type Target = { kind: "record"; table: AnyTrackedTable } | { kind: "actors"; actors: ActorsTable | undefined };

const ACTORS = "user";

function targetOf(tables: readonly AnyTrackedTable[], actors: ActorsTable | undefined, ref: string): Target | null {
  const table = tables.find((t) => t.type === ref);
  if (table) return { kind: "record", table };
  if (ref === ACTORS || (actors && ref === getTableName(actors.table))) return { kind: "actors", actors };
  return null;
}

/**
 * Refuses a `ref` that names neither a registered type nor the actors: checked when the kit is made, so a
 * typo shows at start rather than as ids in the feed.
 */
export function checkFieldRefs(tables: readonly AnyTrackedTable[], actors: ActorsTable | undefined): void {
  for (const table of tables) {
    for (const field of Object.values(table.fields)) {
      if (field.ref && !targetOf(tables, actors, field.ref)) {
        throw new ActivityError(
          "not_registered",
          `${table.type}.${field.column} refers to "${field.ref}", which is neither a tracked record type nor "${ACTORS}" (the actors).`,
        );
      }
    }
  }
}

/** Names by `target:id`, looked up for one page of events. */
export type Names = Map<string, string>;

const nameKey = (ref: string, id: string) => `${ref}:${id}`;

/** Whether a stored value of a `ref` field names something to look up (not empty, redacted or a JSON value). */
const isReference = (value: Json | undefined): value is string | number | boolean =>
  value !== null && value !== undefined && value !== REDACTED && typeof value !== "object";

/** Orders a record's fields as its registration lists them, the others after. */
function inRegistrationOrder<F extends { field: string }>(table: AnyTrackedTable | undefined, fields: F[]): F[] {
  const order = Object.keys(table?.fields ?? {});
  const rank = (column: string) => (order.includes(column) ? order.indexOf(column) : order.length);
  return fields.sort((a, b) => rank(a.field) - rank(b.field));
}

/**
 * The names of these records, one query per record type (and one for the actors): the current name when
 * the record exists in the workspace, else the name its newest event recorded (history outlives records).
 */
export async function lookUpNames(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  actors: ActorsTable | undefined,
  workspaceId: string,
  wanted: Map<string, Set<string>>,
): Promise<Names> {
  const names: Names = new Map();
  for (const [ref, idSet] of wanted) {
    const target = targetOf(tables, actors, ref);
    if (!target) continue;
    let rows: { id: string; current: string | null; former: string | null }[];
    if (target.kind === "record") {
      const table = target.table;
      const label = table.labelColumn;
      if (!label) continue;
      const ids = [...idSet].filter((id) => fitsKeyType(table.primaryKeyType, id));
      if (ids.length === 0) continue;
      const pk = sql.identifier(table.primaryKey);
      const inWorkspace = table.workspaceColumn
        ? sql`and t.${sql.identifier(table.workspaceColumn)}::text = ${workspaceId}`
        : sql``;
      // Only for a record that is gone: its newest event that held its label, in the workspace's log.
      const result = await db.execute(sql`
        select k.id, t.${sql.identifier(label)}::text as current, f.label as former
          from unnest(${pgArray(ids)}::text[]) as k(id)
          left join ${sql.identifier(table.tableName)} as t
            on t.${pk} = k.id::${sql.raw(table.primaryKeyType)} ${inWorkspace}
          left join lateral (
            select coalesce(c->'row'->>${label}, c->'changes'->${label}->>1) as label
              from activity_events as e cross join lateral jsonb_array_elements(e.changes) as c
             where t.${pk} is null and e.workspace_id = ${workspaceId}
               and e.record_type = ${table.type} and e.record_id = k.id
               and c->>'type' = ${table.type} and c->>'id' = k.id
               and coalesce(c->'row'->>${label}, c->'changes'->${label}->>1) is not null
             order by e.occurred_at desc, e.id desc limit 1) as f on true`);
      rows = rowsOf(result);
    } else {
      const people = target.actors;
      const idType = people ? keyCastType(people.id.getSQLType()) : "text";
      const ids = [...idSet].filter((id) => fitsKeyType(idType, id));
      if (ids.length === 0) continue;
      const current =
        people?.label !== undefined
          ? sql`(select a.${sql.identifier(people.label.name)}::text from ${sql.identifier(getTableName(people.table))} as a
                  where a.${sql.identifier(people.id.name)} = k.id::${sql.raw(idType)})`
          : sql`null::text`;
      const result = await db.execute(sql`
        select k.id, ${current} as current,
               (select e.actor_label from activity_events as e
                 where e.workspace_id = ${workspaceId} and e.actor_id = k.id
                 order by e.occurred_at desc, e.id desc limit 1) as former
          from unnest(${pgArray(ids)}::text[]) as k(id)`);
      rows = rowsOf(result);
    }
    for (const row of rows) {
      const name = row.current ?? row.former;
      if (name !== null) names.set(nameKey(ref, row.id), name);
    }
  }
  return names;
}

/**
 * A reference whose name is known nowhere: a record of another tenant, or a person since deleted (their
 * deletion unlinks their events on purpose, so their name is not found through them either).
 */
function unnamed(ref: string, id: string): string {
  return ref === ACTORS ? "a deleted user" : `${ref} ${id}`;
}

/** A stored value as people read it. */
function showValue(field: TrackedField | undefined, value: Json | undefined, names: Names): string {
  if (value === REDACTED) return REDACTED;
  if (value === null || value === undefined) return "none";
  if (field?.ref) return names.get(nameKey(field.ref, String(value))) ?? unnamed(field.ref, String(value));
  if (field?.format) return field.format(value);
  if (value === "") return "empty";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return JSON.stringify(value);
}

function visible(table: AnyTrackedTable | undefined, column: string): TrackedField | undefined | false {
  const field = table?.fields[column];
  return field?.hidden ? false : field;
}

/** The changes of one event, readable (see `readableChanges`). */
function readableOf(
  tables: readonly AnyTrackedTable[],
  changes: RowChange[],
  names: Names,
  workspaceLabel: (ref: RecordRef) => string | null,
  erased: ReadonlySet<string>,
): ReadableChange[] {
  return changes.map((change, index) => {
    const table = tables.find((t) => t.type === change.type);
    const fields: ReadableField[] = [];
    // A value erasure removed (its pointer in the event, as `erased` lists it) reads "erased".
    const show = (field: TrackedField | undefined, value: Json | undefined, ...path: (string | number)[]) =>
      erased.has(jsonPointer("changes", index, ...path)) ? ERASED : showValue(field, value, names);
    if (change.op === "update") {
      for (const [column, [before, after]] of Object.entries(change.changes)) {
        const field = visible(table, column);
        if (field === false) continue;
        fields.push({
          field: column,
          label: field?.label ?? column,
          before: show(field, before, "changes", column, 0),
          after: show(field, after, "changes", column, 1),
        });
      }
    } else {
      for (const [column, value] of Object.entries(change.row)) {
        const field = visible(table, column);
        const wasErased = erased.has(jsonPointer("changes", index, "row", column));
        // A create or a delete shows what the record held, not its empty and defaulted columns.
        if (field === false || ((value === null || value === "") && !wasErased)) continue;
        const text = show(field, value, "row", column);
        fields.push({
          field: column,
          label: field?.label ?? column,
          ...(change.op === "insert" ? { after: text } : { before: text }),
        });
      }
    }
    // In the registration's order of fields (jsonb sorts its keys by length: no order to a reader).
    inRegistrationOrder(table, fields);
    return { type: change.type, id: change.id, op: change.op, label: workspaceLabel(change), fields };
  });
}

/** What a page of events needs to read well: the names its changes and records refer to, looked up once. */
export async function readablePage(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  actors: ActorsTable | undefined,
  events: {
    workspaceId: string;
    recordType: string | null;
    recordId: string | null;
    changes: RowChange[];
    erased?: Record<string, string> | null;
  }[],
): Promise<{ changes: ReadableChange[][]; recordLabel: (workspaceId: string, ref: RecordRef) => string | null }> {
  // By workspace, so no name crosses tenants (a page is one workspace's; this costs nothing then).
  const wanted = new Map<string, Map<string, Set<string>>>();
  const want = (workspaceId: string, ref: string, id: string) => {
    const byRef = wanted.get(workspaceId) ?? new Map<string, Set<string>>();
    wanted.set(workspaceId, byRef);
    byRef.set(ref, (byRef.get(ref) ?? new Set()).add(id));
  };
  for (const event of events) {
    if (event.recordType && event.recordId) want(event.workspaceId, event.recordType, event.recordId);
    for (const change of event.changes) {
      want(event.workspaceId, change.type, change.id);
      const table = tables.find((t) => t.type === change.type);
      if (!table) continue;
      const values =
        change.op === "update"
          ? Object.entries(change.changes).flatMap(([c, v]) => v.map((x) => [c, x] as const))
          : Object.entries(change.row);
      for (const [column, value] of values) {
        const ref = table.fields[column]?.ref;
        if (ref && isReference(value)) want(event.workspaceId, ref, String(value));
      }
    }
  }
  const byWorkspace = new Map<string, Names>();
  for (const [workspaceId, refs] of wanted) {
    byWorkspace.set(workspaceId, await lookUpNames(db, tables, actors, workspaceId, refs));
  }
  const recordLabel = (workspaceId: string, ref: RecordRef) =>
    byWorkspace.get(workspaceId)?.get(nameKey(ref.type, ref.id)) ?? null;
  return {
    changes: events.map((event) =>
      readableOf(
        tables,
        event.changes,
        byWorkspace.get(event.workspaceId) ?? new Map(),
        (ref) => recordLabel(event.workspaceId, ref),
        new Set(Object.keys(event.erased ?? {})),
      ),
    ),
    recordLabel,
  };
}

/** "Status: To do → Doing"; a create lists "Title: Fix login", a delete what the record held. */
export function fieldText(field: ReadableField): string {
  if (field.before === undefined) return `${field.label}: ${field.after ?? "none"}`;
  if (field.after === undefined) return `${field.label}: ${field.before}`;
  return `${field.label}: ${field.before} → ${field.after}`;
}

/** An event's changes in one line, for exports: `task Fix login: Status: To do → Doing; Assignee: none → Bob`. */
export function changesText(changes: ReadableChange[]): string {
  return changes
    .filter((c) => c.fields.length > 0 || c.op !== "update")
    .map((c) => {
      const name = `${c.type} ${c.label ?? c.id}`;
      const verb = c.op === "insert" ? " created" : c.op === "delete" ? " deleted" : "";
      const fields = c.fields.map(fieldText).join("; ");
      return `${name}${verb}${fields ? `: ${fields}` : ""}`;
    })
    .join(" | ");
}

/** A revert's conflicting field as people read it: "Assignee", now "Bob Brown", the revert would restore "none". */
export interface ReadableConflict {
  /** The record's name: "task Fix login" (its type and id when it has no name). */
  record: string;
  /** The field's label ("Assignee"); "Record" for a conflict about the record itself (deleted, recreated). */
  label: string;
  current: string;
  intended: string;
}

/** The pseudo-field a revert reports when the record itself is in the way (gone since, or back since). */
const WHOLE_RECORD = "(record)";

/**
 * A revert's conflicts as people read them, with the labels, formats and names the diffs use (names looked
 * up once for all of them, in the workspace). A hidden field still shows its label here: the revert writes it.
 */
export async function readableConflicts(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  actors: ActorsTable | undefined,
  workspaceId: string,
  conflicts: readonly { record: RecordRef; field: string; current: Json | undefined; intended: Json | undefined }[],
): Promise<ReadableConflict[]> {
  const wanted = new Map<string, Set<string>>();
  const want = (ref: string, id: string) => wanted.set(ref, (wanted.get(ref) ?? new Set()).add(id));
  for (const conflict of conflicts) {
    want(conflict.record.type, conflict.record.id);
    const ref = tables.find((t) => t.type === conflict.record.type)?.fields[conflict.field]?.ref;
    for (const value of [conflict.current, conflict.intended]) {
      if (ref && isReference(value)) want(ref, String(value));
    }
  }
  const names = await lookUpNames(db, tables, actors, workspaceId, wanted);
  return conflicts.map(({ record, field, current, intended }) => {
    const name = `${record.type} ${names.get(nameKey(record.type, record.id)) ?? record.id}`;
    if (field === WHOLE_RECORD) {
      const state = (value: Json | undefined) => (value === null || value === undefined ? "deleted" : String(value));
      return { record: name, label: "Record", current: state(current), intended: state(intended) };
    }
    const tracked = tables.find((t) => t.type === record.type)?.fields[field];
    return {
      record: name,
      label: tracked?.label ?? field,
      current: showValue(tracked, current, names),
      intended: showValue(tracked, intended, names),
    };
  });
}

/** One field of a record's state as people read it ("Assignee", "Bob Brown"). */
export interface ReadableStateField {
  /** The column's database name. */
  field: string;
  label: string;
  value: string;
}

/**
 * Rows of one record type (its states at some instants) as people read them: each visible field, in the
 * registration's order, with the labels, formats and names the diffs use (names looked up once for all the
 * rows, in the workspace). Unlike a create's diff, empty fields are kept: a state shows every field.
 */
export async function readableStates(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  actors: ActorsTable | undefined,
  workspaceId: string,
  type: string,
  rows: readonly Record<string, Json>[],
): Promise<ReadableStateField[][]> {
  const table = tables.find((t) => t.type === type);
  const wanted = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      const ref = table?.fields[column]?.ref;
      if (ref && isReference(value)) wanted.set(ref, (wanted.get(ref) ?? new Set()).add(String(value)));
    }
  }
  const names = await lookUpNames(db, tables, actors, workspaceId, wanted);
  return rows.map((row) =>
    inRegistrationOrder(
      table,
      Object.entries(row).flatMap(([column, value]): ReadableStateField[] => {
        const field = visible(table, column);
        if (field === false) return [];
        return [{ field: column, label: field?.label ?? column, value: showValue(field, value, names) }];
      }),
    ),
  );
}
