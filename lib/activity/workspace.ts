import type { AnyTrackedTable } from "./registry";

/**
 * A tenant's id as the host has it (`workspace_id`, `team_id`, `org_id`: a number, a uuid, a slug), or
 * null/undefined in a single-tenant app.
 */
export type WorkspaceId = string | number | null | undefined;

/**
 * The tenant as events store it: the id as text, and `""` for none. A single-tenant app's events all carry
 * `""`, and every read without a workspace reads those.
 */
export function workspaceKey(workspaceId: WorkspaceId): string {
  return workspaceId === null || workspaceId === undefined ? "" : String(workspaceId);
}

/**
 * Whether a row (as JSON, column names as in the database) belongs to the tenant: always for a table
 * registered without a tenant column; a null tenant value is the `""` tenant.
 */
export function rowInWorkspace(
  table: Pick<AnyTrackedTable, "workspaceColumn">,
  row: Record<string, unknown>,
  workspaceId: string,
): boolean {
  if (table.workspaceColumn === null) return true;
  return workspaceKey(row[table.workspaceColumn] as WorkspaceId) === workspaceId;
}
