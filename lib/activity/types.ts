/** A record by its registered type name and its id (as text): `{ type: "task", id: "42" }`. */
export interface RecordRef {
  type: string;
  id: string;
}

/** A JSON value, as a captured row's columns are stored. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One row's change, as captured by the database trigger of a tracked table. */
export type RowChange =
  | { type: string; id: string; op: "insert" | "delete"; row: Record<string, Json> }
  | { type: string; id: string; op: "update"; changes: Record<string, [before: Json, after: Json]> };

export const REDACTED = "[redacted]";
