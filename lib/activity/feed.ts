import { and, desc, eq, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { ActorType } from "./actor";
import type { CursorCodec } from "./cursor";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import { parseRecordKey } from "./registry";
import { type ActivityEventRow, activityEvents, activitySequence } from "./schema";
import type { RecordRef, RowChange } from "./types";

export const FEED_DEFAULT_LIMIT = 30;
export const FEED_MAX_LIMIT = 100;

/** What a feed line carries (the JSON of `GET /api/activity`). */
export interface ActivityItem {
  id: string;
  /** The event's place in its workspace's live order (null until the sequencer, a few ms after commit). */
  seq: number | null;
  occurredAt: string;
  actor: { id: string | null; name: string; type: ActorType | "database" };
  action: string;
  subject: string;
  record: (RecordRef & { href: string | null; exists: boolean }) | null;
  related: RecordRef[];
  metadata: Record<string, unknown>;
  changes: RowChange[];
  /** Made outside the app's tracked actions (raw SQL, a script, another service). */
  unattributed: boolean;
  /** The request that caused it: only in the admin's audit log, not in the members' feed. */
  context?: { requestId: string | null; ip: string | null; userAgent: string | null; txId: number };
}

/** An event with its live sequence number (null until the sequencer has seen it). */
export type SequencedEvent = ActivityEventRow & { seq: number | null };

export interface FeedFilters {
  record?: RecordRef;
  /** A record type (`task`): every event about a record of that type. */
  type?: string;
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
}

export interface FeedParams extends FeedFilters {
  limit: number;
  cursor?: string;
}

const PARAMETERS = ["limit", "cursor", "record", "type", "actor", "action", "from", "to"] as const;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function bad(parameter: string, message: string): never {
  throw new ActivityError("invalid_filter", message, parameter);
}

/** Whether the date part of an ISO string names a real day (checked in UTC, or at the given offset). */
function sameCalendarDay(value: string, date: Date): boolean {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(value);
  const shift = offset ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000 : 0;
  return new Date(date.getTime() + shift).toISOString().slice(0, 10) === value.slice(0, 10);
}

function parseDate(parameter: "from" | "to", value: string): Date {
  // A time without a zone is read as UTC, whatever the server's own zone.
  const zoned = value.length === 10 ? `${value}T00:00:00Z` : /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const date = new Date(zoned);
  // JavaScript rolls 2026-02-30 over into March; the calendar date must read back as given.
  const rolledOver = !Number.isNaN(date.getTime()) && value.length >= 10 && !sameCalendarDay(value, date);
  if (!ISO_DATE.test(value) || Number.isNaN(date.getTime()) || rolledOver) {
    bad(parameter, `"${parameter}" must be an ISO 8601 date or time, like 2026-11-23 or 2026-11-23T14:00:00Z.`);
  }
  // A date alone in `to` means the whole of that day (UTC).
  const result = parameter === "to" && value.length === 10 ? new Date(date.getTime() + 24 * 3600_000) : date;
  const year = result.getUTCFullYear();
  if (year < 1 || year > 9999) bad(parameter, `"${parameter}" must be a date between the years 1 and 9999.`);
  return result;
}

/**
 * Parses the feed's query string. Anything wrong — an unknown parameter, a repeated one, a limit out of
 * range, an unknown action, a malformed record or actor, a date that is not a date — is an ActivityError
 * naming the parameter (the route answers 400 with it).
 */
export function parseFeedParams(search: URLSearchParams, knownActions: readonly string[]): FeedParams {
  for (const key of new Set(search.keys())) {
    if (!(PARAMETERS as readonly string[]).includes(key)) {
      bad(key, `Unknown parameter "${key.slice(0, 40)}": use ${PARAMETERS.join(", ")}.`);
    }
    if (search.getAll(key).length > 1) bad(key, `Give "${key}" at most once.`);
  }
  const value = (key: (typeof PARAMETERS)[number]) => {
    const v = search.get(key);
    return v === null || v === "" ? undefined : v;
  };
  const params: FeedParams = { limit: FEED_DEFAULT_LIMIT };
  const limit = value("limit");
  if (limit !== undefined) {
    const parsed = z.coerce.number().int().min(1).max(FEED_MAX_LIMIT).safeParse(limit);
    if (!/^\d+$/.test(limit) || !parsed.success)
      bad("limit", `"limit" must be a whole number from 1 to ${FEED_MAX_LIMIT}.`);
    params.limit = parsed.data;
  }
  const cursor = value("cursor");
  if (cursor !== undefined) params.cursor = cursor;
  const record = value("record");
  if (record !== undefined) {
    try {
      params.record = parseRecordKey(record);
    } catch {
      bad("record", `"record" must look like task:42.`);
    }
  }
  const type = value("type");
  if (type !== undefined) {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(type)) bad("type", `"type" must be a record type such as task.`);
    params.type = type;
  }
  const actor = value("actor");
  if (actor !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(actor)) bad("actor", `"actor" must be a user id.`);
    params.actor = actor;
  }
  const action = value("action");
  if (action !== undefined) {
    if (!knownActions.includes(action)) {
      bad("action", `Unknown action "${action.slice(0, 60)}": use one of ${knownActions.join(", ")}.`);
    }
    params.action = action;
  }
  const from = value("from");
  if (from !== undefined) params.from = parseDate("from", from);
  const to = value("to");
  if (to !== undefined) params.to = parseDate("to", to);
  if (params.from && params.to && params.from >= params.to) bad("to", `"to" must be after "from".`);
  return params;
}

/** The cursor's scope: a cursor made for one workspace and filter set is refused for any other. */
export function feedScope(workspaceId: string, filters: FeedFilters): string {
  return JSON.stringify([
    workspaceId,
    filters.record ? `${filters.record.type}:${filters.record.id}` : null,
    filters.type ?? null,
    filters.actor ?? null,
    filters.action ?? null,
    filters.from?.getTime() ?? null,
    filters.to?.getTime() ?? null,
  ]);
}

/** The SQL condition of the filters (used by the feed page and by the live stream alike). */
export function feedConditions(workspaceId: string, filters: FeedFilters): SQL {
  const e = activityEvents;
  const conditions: (SQL | undefined)[] = [eq(e.workspaceId, workspaceId)];
  if (filters.record) {
    const { type, id } = filters.record;
    conditions.push(
      or(and(eq(e.recordType, type), eq(e.recordId, id)), sql`${e.refs} @> ARRAY[${`${type}:${id}`}]::text[]`),
    );
  }
  if (filters.type) conditions.push(eq(e.recordType, filters.type));
  if (filters.actor) conditions.push(eq(e.actorId, filters.actor));
  if (filters.action) conditions.push(eq(e.action, filters.action));
  if (filters.from) conditions.push(gte(e.occurredAt, filters.from));
  if (filters.to) conditions.push(lt(e.occurredAt, filters.to));
  return and(...conditions)!;
}

/** Whether an event passes the filters: the live stream's check, equal to `feedConditions`. */
export function matchesFilters(
  event: Pick<ActivityEventRow, "recordType" | "recordId" | "refs" | "actorId" | "action" | "occurredAt">,
  filters: FeedFilters,
): boolean {
  if (filters.record) {
    const { type, id } = filters.record;
    const own = event.recordType === type && event.recordId === id;
    if (!own && !event.refs.includes(`${type}:${id}`)) return false;
  }
  if (filters.type && event.recordType !== filters.type) return false;
  if (filters.actor && event.actorId !== filters.actor) return false;
  if (filters.action && event.action !== filters.action) return false;
  if (filters.from && event.occurredAt < filters.from) return false;
  if (filters.to && event.occurredAt >= filters.to) return false;
  return true;
}

/**
 * One page of the feed, newest first, by keyset: `(occurred_at, id) < cursor`, served by the index on
 * (workspace_id, occurred_at desc, id desc) at any depth. No totals: counting is what gets slow.
 */
export async function readFeedPage(
  db: AnyDatabase,
  codec: CursorCodec,
  workspaceId: string,
  params: FeedParams,
): Promise<{ rows: SequencedEvent[]; nextCursor: string | null }> {
  const scope = feedScope(workspaceId, params);
  const position = params.cursor ? codec.decode(params.cursor, scope) : undefined;
  const e = activityEvents;
  const keyset = position
    ? sql`(${e.occurredAt}, ${e.id}) < (${position.occurredAt.toISOString()}::timestamptz, ${position.id})`
    : undefined;
  const joined = await db
    .select({ event: e, seq: activitySequence.seq })
    .from(e)
    .leftJoin(activitySequence, eq(activitySequence.eventId, e.id))
    .where(
      params.record ? recordCandidates(workspaceId, params, keyset) : and(feedConditions(workspaceId, params), keyset),
    )
    .orderBy(desc(e.occurredAt), desc(e.id))
    .limit(params.limit + 1);
  const rows = joined.map((r) => ({ ...r.event, seq: r.seq }));
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > params.limit && last ? codec.encode({ occurredAt: last.occurredAt, id: last.id }, scope) : null;
  return { rows: page, nextCursor };
}

/**
 * A record's events are its own (the index on record type and id) or those that name it in `refs` (the GIN
 * index). Written as one condition with OR, the planner walks the whole feed index hoping to fill a page
 * (about 290 ms at a million events); as the union of one page from each index it takes a few ms. In the
 * `refs` branch the order is on an expression, so the planner cannot pick the feed index for its order and
 * takes the GIN index, then sorts what it found.
 */
function recordCandidates(workspaceId: string, params: FeedParams, keyset: SQL | undefined): SQL {
  const e = activityEvents;
  const { type, id } = params.record!;
  const rest = feedConditions(workspaceId, { ...params, record: undefined });
  const limit = params.limit + 1;
  const own = sql`(select ${e.id} from ${e}
    where ${and(rest, eq(e.recordType, type), eq(e.recordId, id), keyset)}
    order by ${e.occurredAt} desc, ${e.id} desc limit ${limit})`;
  const named = sql`(select ${e.id} from ${e}
    where ${and(rest, sql`${e.refs} @> ARRAY[${`${type}:${id}`}]::text[]`, keyset)}
    order by ${e.occurredAt} + interval '0 seconds' desc, ${e.id} + 0 desc limit ${limit})`;
  return sql`${e.id} in (${own} union all ${named})`;
}

/**
 * Every event of the workspace that passes the filters, newest first, in batches by keyset: for exports,
 * whose memory stays that of one batch however many events there are.
 */
export async function* readAllEvents(
  db: AnyDatabase,
  workspaceId: string,
  filters: FeedFilters,
  batch = 1_000,
): AsyncGenerator<SequencedEvent[]> {
  let position: { occurredAt: Date; id: number } | undefined;
  const e = activityEvents;
  for (;;) {
    const keyset = position
      ? sql`(${e.occurredAt}, ${e.id}) < (${position.occurredAt.toISOString()}::timestamptz, ${position.id})`
      : undefined;
    const params = { ...filters, limit: batch };
    const joined = await db
      .select({ event: e, seq: activitySequence.seq })
      .from(e)
      .leftJoin(activitySequence, eq(activitySequence.eventId, e.id))
      .where(
        params.record
          ? recordCandidates(workspaceId, params, keyset)
          : and(feedConditions(workspaceId, params), keyset),
      )
      .orderBy(desc(e.occurredAt), desc(e.id))
      .limit(batch);
    if (joined.length === 0) return;
    const rows = joined.map((r) => ({ ...r.event, seq: r.seq }));
    yield rows;
    if (rows.length < batch) return;
    const last = rows.at(-1)!;
    position = { occurredAt: last.occurredAt, id: last.id };
  }
}
