import { getTableColumns, getTableName } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { ActivityError } from "./errors";
import { type FieldOptions, resolveFields, type TrackedField } from "./fields";
import type { RecordRef } from "./types";

export const CAPTURED_OPERATIONS = ["insert", "update", "delete"] as const;
export type CapturedOperation = (typeof CAPTURED_OPERATIONS)[number];

export interface TrackOptions<T extends PgTable> {
  /** The record type name in the log and in record keys: `task` gives `task:42`. */
  type: string;
  /**
   * The column naming the tenant the row belongs to (`workspace_id`, `team_id`, `org_id`; of any type).
   * Reads check a row against the viewer's tenant through it. Omit it for a table that belongs to no
   * tenant (a single-tenant app, or a table shared by all): its unattributed changes are then stored with
   * workspace `""`, and tracked ones with the actor's workspace (`""` for an actor without one).
   */
  workspace?: PgColumn;
  /** A column that names the row for people ("task Fix login"). Defaults to the id. */
  label?: PgColumn;
  /** Columns whose values never enter the log (password hashes, tokens): stored as "[redacted]". */
  redact?: PgColumn[];
  /**
   * Columns holding personal data (an email, a name): stored in the log like any other, and erased from
   * every past event by `eraseRecord(type, id)` (a person's right to erasure), their digests kept so the
   * chain still verifies. Unlike `redact`, whose values never enter the log at all.
   */
  personal?: PgColumn[];
  /** Columns whose changes alone are not worth an entry (an `updated_at` bumped on every save). */
  ignore?: PgColumn[];
  /** Which operations to capture; all three by default. */
  operations?: readonly CapturedOperation[];
  /** How a row reads in the feed; defaults to `<type> <label>`. */
  describe?: (row: T["$inferSelect"]) => string;
  /** The app's page for a record of this type, linked from feed lines. */
  href?: (id: string) => string;
  /**
   * How the columns read for people, by property name: `{ status: { label: "Status", format }, assigneeId:
   * { label: "Assignee", ref: "user" } }`. Diffs, feed lines and exports use it. The primary key, the tenant
   * column and the ignored columns are hidden unless listed here with `hidden: false`.
   */
  fields?: { [K in keyof T["_"]["columns"]]?: FieldOptions };
}

/** A table's registration, with the database names the capture trigger needs. */
export interface TrackedTable<T extends PgTable = PgTable> {
  table: T;
  type: string;
  tableName: string;
  primaryKey: string;
  /** The tenant column, or null for a table without one. */
  workspaceColumn: string | null;
  labelColumn: string | null;
  redactColumns: string[];
  /** Columns `eraseRecord` erases from past events. */
  personalColumns: string[];
  ignoreColumns: string[];
  operations: readonly CapturedOperation[];
  // Methods rather than function-typed properties: their parameters are compared bivariantly, so a
  // registration of any table is a TrackedTable<PgTable> and a list can mix them.
  describe(row: T["$inferSelect"]): string;
  href: ((id: string) => string) | null;
  /** Every column as people read it, by database name (see `TrackOptions.fields`). */
  fields: Record<string, TrackedField>;
  /**
   * The SQL type of the primary key as casts and arrays accept it (to look records up by id): `serial`
   * reads `integer`, `bigserial` `bigint`, `smallserial` `smallint`.
   */
  primaryKeyType: string;
  /** The reference to a row of this table. */
  ref(row: T["$inferSelect"]): RecordRef;
}

/** A registration of any table: what a list of registrations holds. */
export type AnyTrackedTable = TrackedTable<PgTable>;

const SERIAL_TYPES: Record<string, string> = { smallserial: "smallint", serial: "integer", bigserial: "bigint" };

/**
 * The type name a key's values are cast to. drizzle reports a `serial` column's SQL type as `serial`,
 * which is no type: `$1::serial` and `serial[]` fail.
 */
export function keyCastType(sqlType: string): string {
  return SERIAL_TYPES[sqlType] ?? sqlType;
}

const TYPE_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Names no record type may take: the audit log's URLs put a record's history at `<audit>/<type>/<id>` and
 * an event's permalink at `<audit>/events/<id>`, so a type named "events" would have no history page.
 */
export const RESERVED_TYPE_NAMES: readonly string[] = ["events"];

function columnName(table: PgTable, column: PgColumn, what: string): string {
  const found = Object.values(getTableColumns(table)).find((c) => c === column);
  if (!found)
    throw new ActivityError("not_registered", `The ${what} column is not a column of ${getTableName(table)}.`);
  return found.name;
}

/** The registration of a record type; an unknown type is an `invalid_record` error. */
export function registrationOf(tables: readonly AnyTrackedTable[], type: string): AnyTrackedTable {
  const table = tables.find((t) => t.type === type);
  if (!table) throw new ActivityError("invalid_record", `"${type}" is not a tracked record type.`);
  return table;
}

/** Registers a table for tracking (the kit's Trackable): capture triggers are generated from this. */
export function trackTable<T extends PgTable>(table: T, options: TrackOptions<T>): TrackedTable<T> {
  if (!TYPE_NAME.test(options.type)) {
    throw new ActivityError("not_registered", `Record type "${options.type}" must be lower_snake_case.`);
  }
  if (RESERVED_TYPE_NAMES.includes(options.type)) {
    throw new ActivityError(
      "not_registered",
      `Record type "${options.type}" is reserved: the audit log's event pages live at <audit log>/${options.type}/<id>, where its history page would be. Name the type otherwise ("event", say).`,
    );
  }
  const columns = Object.entries(getTableColumns(table));
  const primary = columns.filter(([, c]) => c.primary);
  if (primary.length !== 1) {
    throw new ActivityError(
      "not_registered",
      `${getTableName(table)} needs a single-column primary key to be tracked.`,
    );
  }
  const [primaryProperty, primaryColumn] = primary[0]!;
  const labelProperty = options.label ? columns.find(([, c]) => c === options.label)?.[0] : undefined;
  const labelColumn = options.label ? columnName(table, options.label, "label") : null;
  const workspaceColumn = options.workspace ? columnName(table, options.workspace, "workspace") : null;
  const ignoreColumns = (options.ignore ?? []).map((c) => columnName(table, c, "ignored"));
  const system = [primaryColumn.name, ...(workspaceColumn ? [workspaceColumn] : []), ...ignoreColumns];
  const ref = (row: T["$inferSelect"]): RecordRef => ({
    type: options.type,
    id: String((row as Record<string, unknown>)[primaryProperty]),
  });
  return {
    table,
    type: options.type,
    tableName: getTableName(table),
    primaryKey: primaryColumn.name,
    primaryKeyType: keyCastType(primaryColumn.getSQLType()),
    href: options.href ?? null,
    workspaceColumn,
    labelColumn,
    redactColumns: (options.redact ?? []).map((c) => columnName(table, c, "redacted")),
    personalColumns: (options.personal ?? []).map((c) => columnName(table, c, "personal")),
    ignoreColumns,
    fields: resolveFields(table, options.fields as Record<string, FieldOptions> | undefined, system),
    operations: options.operations ?? CAPTURED_OPERATIONS,
    describe:
      options.describe ??
      ((row) => {
        const label = labelProperty ? (row as Record<string, unknown>)[labelProperty] : undefined;
        return `${options.type} ${label ?? ref(row).id}`;
      }),
    ref,
  };
}

/** `task:42`: how a record is written in URLs and filters. */
export function formatRecordKey(ref: RecordRef): string {
  return `${ref.type}:${ref.id}`;
}

/**
 * A record id is whatever its key holds (a number, a uuid, a text key such as a slug or an email address):
 * 1 to 200 characters, none of them a control character.
 */
function isRecordId(id: string): boolean {
  if (id.length === 0 || id.length > 200) return false;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

/** Parses `task:42` (the id is everything after the first colon); throws a clear error for anything else. */
export function parseRecordKey(key: string): RecordRef {
  const colon = key.indexOf(":");
  const type = key.slice(0, colon);
  const id = key.slice(colon + 1);
  if (colon < 0 || !TYPE_NAME.test(type) || !isRecordId(id)) {
    throw new ActivityError("invalid_record", `"${key.slice(0, 80)}" is not a record reference like "task:42".`);
  }
  return { type, id };
}
