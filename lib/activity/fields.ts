import { getTableColumns } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { ActivityError } from "./errors";
import type { Json } from "./types";

/** How one column reads for people: its name, how its values are written, what record it points to. */
export interface FieldOptions {
  /** The field's name for people ("Assignee"); defaults to the column's name in words ("Assignee id"). */
  label?: string;
  /** Writes a stored value (as the log holds it: JSON) for people: `"todo"` → `"To do"`. */
  format?: (value: Json) => string;
  /**
   * The record type the column's value is the id of (`"project"`), or the actors (`"user"`, or the actors
   * table's name): its values then read as that record's current name, resolved when the log is read.
   */
  ref?: string;
  /** Never shown in diffs, feed lines and exports (it is still stored and reverted). */
  hidden?: boolean;
}

/** A column as the readable changes use it: its database name and its options, resolved. */
export interface TrackedField {
  column: string;
  label: string;
  hidden: boolean;
  ref: string | null;
  format: ((value: Json) => string) | null;
}

/** `due_date` → "Due date", `assigneeId` → "Assignee id". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replaceAll("_", " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Every column of the table as a field, keyed by database name, the listed ones first. System columns (the primary key, the
 * tenant column, the ignored ones) are hidden unless the registration lists them with `hidden: false`.
 */
export function resolveFields(
  table: PgTable,
  options: Record<string, FieldOptions> | undefined,
  system: readonly string[],
): Record<string, TrackedField> {
  const columns = getTableColumns(table);
  for (const key of Object.keys(options ?? {})) {
    if (!(key in columns)) {
      throw new ActivityError("not_registered", `fields.${key} is not a column of the table (use its property name).`);
    }
  }
  const fields: Record<string, TrackedField> = {};
  // The fields listed first, in their order (the order diffs show them in), then the other columns.
  const listed = Object.keys(options ?? {});
  const properties = [...listed, ...Object.keys(columns).filter((p) => !listed.includes(p))];
  for (const property of properties) {
    const column = columns[property]!;
    const own = options?.[property] ?? {};
    fields[column.name] = {
      column: column.name,
      label: own.label ?? humanize(column.name),
      hidden: own.hidden ?? system.includes(column.name),
      ref: own.ref ?? null,
      format: own.format ?? null,
    };
  }
  return fields;
}
