import { sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import { pgArray } from "./pg-array";
import { type ActorsTable, lookUpNames } from "./readable";
import type { AnyTrackedTable } from "./registry";
import { rowsOf } from "./rows";
import type { RecordRef } from "./types";

/** Records a search returns when `limit` is not given. */
export const RECORD_SEARCH_DEFAULT_LIMIT = 10;
/** The largest `limit` a record search may ask for; more is a 400. */
export const RECORD_SEARCH_MAX_LIMIT = 20;
/** The longest text a record search takes. */
export const RECORD_SEARCH_MAX_QUERY = 100;

/** A record a search found: the record filter's value is `type:id`, `label` its name now (or as last recorded). */
export interface FoundRecord extends RecordRef {
  label: string;
}

export interface RecordSearchParams {
  q: string;
  type?: string;
  limit: number;
}

const PARAMETERS = ["q", "type", "limit"] as const;

function bad(parameter: string, message: string): never {
  throw new ActivityError("invalid_filter", message, parameter);
}

/**
 * Parses the query string of a record search (`q`, `type`, `limit`). Anything wrong — an unknown or repeated
 * parameter, no text, a text too long, a malformed type, a limit out of range — is an ActivityError naming
 * the parameter (the route answers 400 with it).
 */
export function parseRecordSearch(search: URLSearchParams): RecordSearchParams {
  for (const key of new Set(search.keys())) {
    if (!(PARAMETERS as readonly string[]).includes(key)) {
      bad(key, `Unknown parameter "${key.slice(0, 40)}": use ${PARAMETERS.join(", ")}.`);
    }
    if (search.getAll(key).length > 1) bad(key, `Give "${key}" at most once.`);
  }
  const q = (search.get("q") ?? "").trim();
  if (!q) bad("q", `"q" must be the text to look for in records' names.`);
  if (q.length > RECORD_SEARCH_MAX_QUERY) bad("q", `"q" must be at most ${RECORD_SEARCH_MAX_QUERY} characters.`);
  const params: RecordSearchParams = { q, limit: RECORD_SEARCH_DEFAULT_LIMIT };
  const type = search.get("type") || undefined;
  if (type !== undefined) {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(type)) bad("type", `"type" must be a record type such as task.`);
    params.type = type;
  }
  const limit = search.get("limit") || undefined;
  if (limit !== undefined) {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > RECORD_SEARCH_MAX_LIMIT) {
      bad("limit", `"limit" must be a whole number from 1 to ${RECORD_SEARCH_MAX_LIMIT}.`);
    }
    params.limit = n;
  }
  return params;
}

/** `q` as a LIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken literally. */
function containing(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The workspace's records whose name contains `q` (case-insensitive), found through their events, so a
 * deleted record is found too, and a renamed one by a former name: the label column its registration names,
 * in a change (created, renamed to or from, deleted); for a type registered without a label, the subject of
 * one of its events (a subject also names other records: "comment on Fix login" is no name of the comment).
 * Distinct records, the most recently active first, at most `limit`; each with its name now, or as last
 * recorded when it is gone (else its newest subject).
 */
export async function searchRecords(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  actors: ActorsTable | undefined,
  workspaceId: string,
  params: RecordSearchParams,
): Promise<FoundRecord[]> {
  const labelled = tables.filter((t) => t.labelColumn);
  const pattern = containing(params.q);
  // Each registered type with its label column (none registered: the subject alone is searched).
  const labelColumns = labelled.length
    ? sql`select * from unnest(${pgArray(labelled.map((t) => t.type))}::text[], ${pgArray(labelled.map((t) => t.labelColumn!))}::text[]) as l(type, col)`
    : sql`select null::text as type, null::text as col where false`;
  const result = await db.execute(sql`
    with labels as (${labelColumns}),
    matched as (
      select distinct e.record_type as type, e.record_id as id
        from activity_events as e
        left join labels as l on l.type = e.record_type
       where e.workspace_id = ${workspaceId}
         and e.record_type is not null and e.record_id is not null
         ${params.type ? sql`and e.record_type = ${params.type}` : sql``}
         and ((l.col is null and e.subject ilike ${pattern})
              or exists (
                select 1 from jsonb_array_elements(e.changes) as c
                 where l.col is not null and c->>'type' = e.record_type and c->>'id' = e.record_id
                   and (c->'row'->>l.col ilike ${pattern}
                        or c->'changes'->l.col->>0 ilike ${pattern}
                        or c->'changes'->l.col->>1 ilike ${pattern}))))
    select m.type, m.id, last.subject
      from matched as m
      cross join lateral (
        select x.subject, x.occurred_at, x.id from activity_events as x
         where x.workspace_id = ${workspaceId} and x.record_type = m.type and x.record_id = m.id
         order by x.occurred_at desc, x.id desc limit 1) as last
     order by last.occurred_at desc, last.id desc
     limit ${params.limit}`);
  const found = rowsOf<{ type: string; id: string; subject: string }>(result);
  const names = await recordNames(db, tables, actors, workspaceId, found);
  return found.map((r) => ({ type: r.type, id: r.id, label: names.get(`${r.type}:${r.id}`) ?? r.subject }));
}

/**
 * The names of records of the workspace (`type:id` → name), now or as last recorded when they are gone;
 * a record without a registered label has none.
 */
export async function recordNames(
  db: AnyDatabase,
  tables: readonly AnyTrackedTable[],
  actors: ActorsTable | undefined,
  workspaceId: string,
  refs: readonly RecordRef[],
): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<string>>();
  for (const ref of refs) wanted.set(ref.type, (wanted.get(ref.type) ?? new Set()).add(ref.id));
  return lookUpNames(db, tables, actors, workspaceId, wanted);
}
