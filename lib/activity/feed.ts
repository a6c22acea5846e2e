import { and, desc, eq, getTableColumns, gt, gte, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { ActorType } from "./actor";
import type { CursorCodec } from "./cursor";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import type { ReadableChange } from "./readable";
import { formatRecordKey, parseRecordKey } from "./registry";
import { rowsOf } from "./rows";
import { type ActivityEventRow, activityEvents, activitySequence, farBehind, LATE_MS } from "./schema";
import { eventTouches, touchingRecord } from "./touching";
import type { RecordRef, RowChange } from "./types";

/** Events per page when `limit` is not given. */
export const FEED_DEFAULT_LIMIT = 30;
/** The largest `limit` a page may ask for; more is a 400. */
export const FEED_MAX_LIMIT = 100;

/** What a feed line carries (the JSON of `GET /api/activity`). */
export interface ActivityItem {
  id: string;
  /** The event's place in its workspace's log: the order events became visible, the feed's order. */
  seq: number | null;
  occurredAt: string;
  actor: { id: string | null; name: string; type: ActorType | "database" };
  action: string;
  subject: string;
  /**
   * The record the event is about: its name now (or as last recorded, when it is gone), and the page to open
   * (null when it would lead nowhere; a type registered without `href` links to the first related record
   * that has a page and exists: a comment to its task).
   */
  record: (RecordRef & { href: string | null; exists: boolean; label: string | null }) | null;
  related: RecordRef[];
  metadata: Record<string, unknown>;
  changes: RowChange[];
  /** The changes as people read them: the registrations' field labels and formats, referenced names resolved. */
  readable: ReadableChange[];
  /** Made outside the app's tracked actions (raw SQL, a script, another service). */
  unattributed: boolean;
  /**
   * For an action tracked inside another (a nested `withTracking`): the enclosing action's event, as the feed
   * names it ("part of Alice's archived folder Launch"). Absent for a top-level action.
   */
  parent?: { id: string; action: string; subject: string; actorName: string };
  /**
   * Where erasure removed a person's data, as JSON pointers into the event (`/actor_label`,
   * `/changes/0/row/email`): the UI shows "erased" there. Absent when nothing was erased.
   */
  erased?: string[];
  /** The request that caused it: only in the admin's audit log, not in the members' feed. */
  context?: { requestId: string | null; ip: string | null; userAgent: string | null; txId: number };
}

/** One page of the feed (the JSON of `GET /api/activity`); `head` is the live sequence number it is complete up to. */
export interface FeedPage {
  items: ActivityItem[];
  nextCursor: string | null;
  head: number;
}

/** An event with its live sequence number (null until the sequencer has seen it). */
export type SequencedEvent = ActivityEventRow & { seq: number | null };

/** What a feed page or a live stream is narrowed to: a record, a record type, an actor, an action, dates. */
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
    filters.record ? formatRecordKey(filters.record) : null,
    filters.type ?? null,
    filters.actor ?? null,
    filters.action ?? null,
    filters.from?.getTime() ?? null,
    filters.to?.getTime() ?? null,
  ]);
}

/** The SQL condition of the filters on `activity_events` (used by the feed page and the live stream alike). */
export function feedConditions(workspaceId: string, filters: FeedFilters): SQL {
  const e = activityEvents;
  const conditions: (SQL | undefined)[] = [eq(e.workspaceId, workspaceId)];
  if (filters.record) conditions.push(touchingRecord(filters.record));
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
  if (filters.record && !eventTouches(event, filters.record)) return false;
  if (filters.type && event.recordType !== filters.type) return false;
  if (filters.actor && event.actorId !== filters.actor) return false;
  if (filters.action && event.action !== filters.action) return false;
  if (filters.from && event.occurredAt < filters.from) return false;
  if (filters.to && event.occurredAt >= filters.to) return false;
  return true;
}

/**
 * The workspace's sequenced events that pass the filters and lie within `bound` (a condition on the
 * sequence number), highest sequence number first.
 *
 * The order is the sequence's: the order in which events became visible, not the time their transactions
 * started (`occurred_at`). Ordered by time, an event whose transaction commits late would land among
 * events a reader has already paged past, and that reader would never see it; by sequence it is always
 * above every position handed out before it was visible. An event is in the feed once the sequencer has
 * numbered it (one tick after its commit); the live stream delivers it from the page's `head` on.
 *
 * Without a record filter or dates the page walks the primary key of `activity_sequence` (workspace,
 * seq) backwards from the bound (with an actor, the index on (workspace, actor, seq)) and joins each event
 * by its id: the cost of a page does not grow with its depth. With a record filter the record's events
 * come first, from the index on record type and id and the GIN index on `refs` (`= any(array(...))` keeps
 * the planner from walking the whole log hoping to meet them), and only they are sorted: a page costs what
 * the record's history does. With dates, a page walks the stretch of the sequence the range lies in from
 * its top, like the undated log, and adds the few entries far behind the sequence's time (pageQueries).
 */
async function sequencedEvents(
  db: AnyDatabase,
  workspaceId: string,
  filters: FeedFilters,
  bound: SQL | undefined,
  limit: number,
): Promise<SequencedEvent[]> {
  const rows = await sequencedQuery(db, workspaceId, filters, bound, limit, false);
  // The sequence's copy of the actor outlives the erasure of a user (which clears the event's): only then
  // is the event's own actor checked in SQL too. Always checking it would make the planner count the
  // actor's share twice and pick a parallel plan for a page of 30.
  if (filters.actor && rows.some((r) => r.actorId !== filters.actor)) {
    return sequencedQuery(db, workspaceId, filters, bound, limit, true);
  }
  return rows;
}

const EVENT_COLUMNS = Object.keys(getTableColumns(activityEvents)) as (keyof ActivityEventRow)[];

/** A sequence entry's event, by the events table's key: (workspace_id, occurred_at, id). */
const EVENT_OF_ENTRY = and(
  eq(activityEvents.workspaceId, activitySequence.workspaceId),
  eq(activityEvents.occurredAt, activitySequence.occurredAt),
  eq(activityEvents.id, activitySequence.eventId),
);

/**
 * The event of each `activity_sequence` entry, for `.from(activitySequence).crossJoinLateral(event)`
 * selecting `fields` (the event's columns and `seq`); `conditions` (on `activity_events`) drop the entries
 * whose event does not pass.
 *
 * The event is found by the events table's key, time included: the table is partitioned by month, and with
 * the time known only the month's partition is searched (by id alone, every month's would be). In a LATERAL
 * subquery the planner cannot flatten (`limit 1`: the key finds one row; drizzle leaves out `offset 0`) the
 * conditions apply to that one row: joined plainly, the planner estimates a filter's share of the join and,
 * for `action=`, reads every partition's events of the action and sorts them all, rather than walking the
 * sequence down to the page's 31.
 */
export function sequencedEventQuery(db: AnyDatabase, conditions?: SQL) {
  const e = activityEvents;
  const s = activitySequence;
  const event = db.select().from(e).where(and(EVENT_OF_ENTRY, conditions)).limit(1).as("e");
  const columns = Object.fromEntries(EVENT_COLUMNS.map((c) => [c, event[c]])) as Pick<
    typeof event,
    keyof ActivityEventRow
  >;
  return { event, fields: { ...columns, seq: s.seq } };
}

async function sequencedQuery(
  db: AnyDatabase,
  workspaceId: string,
  filters: FeedFilters,
  bound: SQL | undefined,
  limit: number,
  recheckActor: boolean,
): Promise<SequencedEvent[]> {
  const [first, second] = await pageQueries(db, workspaceId, filters, bound, limit, recheckActor);
  const rows = await first!;
  const more = second ? await second : [];
  if (more.length === 0) return rows;
  return [...rows, ...more].sort((a, b) => b.seq - a.seq).slice(0, limit);
}

/**
 * The queries of a page, each newest first; the page is their rows merged, the first `limit` by sequence
 * number. One query, or with a date range two: the stretch of the sequence the range lies in, walked from
 * its top like the undated log, and the few entries far behind the sequence's time outside it (see
 * rangeInSequence). Exported for the tests of their plans.
 */
export async function pageQueries(
  db: AnyDatabase,
  workspaceId: string,
  filters: FeedFilters,
  bound: SQL | undefined,
  limit: number,
  recheckActor = false,
) {
  const e = activityEvents;
  const s = activitySequence;
  const conditions = feedConditions(workspaceId, {
    ...filters,
    record: undefined,
    actor: recheckActor ? filters.actor : undefined,
  });
  const touching = filters.record
    ? sql`${s.eventId} = any(array(select ${e.id} from ${e} where ${and(eq(e.workspaceId, workspaceId), touchingRecord(filters.record))}))`
    : undefined;
  const workspaceEntries = and(
    eq(s.workspaceId, workspaceId),
    filters.actor ? eq(s.actorId, filters.actor) : undefined,
    bound,
    touching,
  );
  const entries = and(
    workspaceEntries,
    filters.from ? gte(s.occurredAt, filters.from) : undefined,
    filters.to ? lt(s.occurredAt, filters.to) : undefined,
  );
  const { event, fields } = sequencedEventQuery(db, conditions);
  const walk = (where: SQL | undefined, order: SQL) =>
    db.select(fields).from(s).crossJoinLateral(event).where(where).orderBy(order).limit(limit);
  if (filters.record || !(filters.from || filters.to)) return [walk(entries, desc(s.seq))];
  const range = await rangeInSequence(db, workspaceId, filters);
  // The dates, checked on each entry of the walk, in a form that says which entries they can drop: an entry
  // of lag 0 past `after` is not older than `from`, and one before `reached` is older than `to`. Stated
  // plainly, the planner takes the stretch and the range for independent filters, expects a handful of
  // entries, and reads the range's entries from `activity_sequence_time_idx` and sorts them (a day's, at
  // 10 million events: 27,000) instead of walking the stretch down to the page.
  const near = walk(
    and(
      workspaceEntries,
      filters.from ? or(eq(s.lagMs, 0), gte(s.occurredAt, filters.from)) : undefined,
      filters.to
        ? range.reached !== null
          ? or(lt(s.seq, range.reached), lt(s.occurredAt, filters.to))
          : lt(s.occurredAt, filters.to)
        : undefined,
      range.after !== null ? gt(s.seq, range.after) : undefined,
      range.before !== null ? lt(s.seq, range.before) : undefined,
    ),
    desc(s.seq),
  );
  const outside = or(
    range.before !== null ? gte(s.seq, range.before) : undefined,
    range.after !== null ? lte(s.seq, range.after) : undefined,
  );
  if (!outside) return [near];
  // Through the index of the far-behind entries: its condition as the index states it, and the range's
  // entries of it sorted (`seq + 0`: walking the sequence for them would read every entry).
  return [near, walk(and(entries, FAR_BEHIND, outside), sql`${s.seq} + 0 desc`)];
}

/** The entries `activity_sequence_late_idx` holds, its condition as the index states it (schema.ts). */
const FAR_BEHIND = sql`(${farBehind(activitySequence.lagMs)})`;

/**
 * Where a date range lies in a workspace's sequence: every entry numbered up to `after` is older than
 * `from`, and every entry from `before` on is younger than `to`, unless it is far behind (`lag_ms` over
 * LATE_MS, or unknown). A page of the range walks the entries between, from the top, and adds the far-behind
 * entries outside from their index; the walk costs the page, plus the entries of LATE_MS past `to`.
 *
 * Why it holds: an entry's time plus its lag is the latest time numbered up to it, which never decreases
 * along the sequence. An entry of lag 0 is at that latest time. `after` is the last entry of lag 0 older
 * than `from`: up to it, the latest time is older than `from`, and so is every entry's. `before` is the
 * first entry of lag 0 at or after `to` + LATE_MS: from it on the latest time is at least that, so an entry
 * older than `to` there lags more than LATE_MS. Entries deleted since (retention) only move the bounds
 * outwards. Null when there is no such entry: no bound on that side.
 */
async function rangeInSequence(
  db: AnyDatabase,
  workspaceId: string,
  filters: FeedFilters,
): Promise<{ after: number | null; reached: number | null; before: number | null }> {
  const s = activitySequence;
  const inOrder = and(eq(s.workspaceId, workspaceId), eq(s.lagMs, 0));
  const firstFrom = (time: Date) =>
    sql`(select ${s.seq} from ${s} where ${and(inOrder, gte(s.occurredAt, time))} order by ${s.occurredAt}, ${s.seq} limit 1)`;
  const after = filters.from
    ? sql`(select ${s.seq} from ${s} where ${and(inOrder, lt(s.occurredAt, filters.from))}
            order by ${s.occurredAt} desc, ${s.seq} desc limit 1)`
    : sql`null`;
  const reached = filters.to ? firstFrom(filters.to) : sql`null`;
  const before = filters.to ? firstFrom(new Date(filters.to.getTime() + LATE_MS)) : sql`null`;
  type Bound = string | number | null;
  const [row] = rowsOf<{ after: Bound; reached: Bound; before: Bound }>(
    await db.execute(sql`select ${after} as after, ${reached} as reached, ${before} as before`),
  );
  const number = (v: Bound | undefined) => (v === null || v === undefined ? null : Number(v));
  return { after: number(row?.after), reached: number(row?.reached), before: number(row?.before) };
}

/**
 * One page of the feed, newest first, by keyset on the sequence number: the first page holds the events
 * up to `head` (the workspace's sequence head, read before: every event up to it is visible here, so a
 * live stream opened after `head` continues exactly where the page starts), the next the events below the
 * cursor. No totals: counting is what gets slow.
 */
export async function readFeedPage(
  db: AnyDatabase,
  codec: CursorCodec,
  workspaceId: string,
  params: FeedParams,
  head: number,
): Promise<{ rows: SequencedEvent[]; nextCursor: string | null }> {
  const scope = feedScope(workspaceId, params);
  const position = params.cursor ? codec.decode(params.cursor, scope) : undefined;
  const s = activitySequence;
  const bound = position ? lt(s.seq, position.seq) : lte(s.seq, head);
  const rows = await sequencedEvents(db, workspaceId, params, bound, params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > params.limit && last ? codec.encode({ seq: last.seq! }, scope) : null;
  return { rows: page, nextCursor };
}

/**
 * Every sequenced event of the workspace that passes the filters, newest first, in batches by keyset: for
 * exports, whose memory stays that of one batch however many events there are.
 */
export async function* readAllEvents(
  db: AnyDatabase,
  workspaceId: string,
  filters: FeedFilters,
  batch = 1_000,
): AsyncGenerator<SequencedEvent[]> {
  const s = activitySequence;
  let bound: SQL | undefined;
  for (;;) {
    const rows = await sequencedEvents(db, workspaceId, filters, bound, batch);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
    bound = lt(s.seq, rows.at(-1)!.seq!);
  }
}
