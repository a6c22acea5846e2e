/**
 * activity-kit: the library a Next app copies. It imports drizzle, zod and Node built-ins only; the host
 * hands it a database and its table registrations in one seam file (`lib/activity-kit.ts`).
 */
import { and, eq } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Actor } from "./actor";
import type { Catalogue } from "./catalogue";
import { BASE_ACTIONS } from "./catalogue";
import {
  type CheckpointDocument,
  type CheckpointKey,
  checkpointKey,
  signCheckpoints,
  takeCheckpoint,
} from "./checkpoint";
import { createCursorCodec } from "./cursor";
import type { AnyDatabase } from "./database";
import { type ErasureResult, eraseActor as eraseActorEvents, eraseRecord as eraseRecordEvents } from "./erasure";
import { ActivityError } from "./errors";
import { type FeedPage, parseFeedParams, readAllEvents, readFeedPage } from "./feed";
import { lastVerification, verifyAndRecord } from "./integrity";
import { type ToItems, toItems as toEventItems } from "./items";
import { listenThrough } from "./listen";
import { createLiveHub, type Listen, type LiveHub, type LiveLimits } from "./live";
import { createQueries } from "./queries";
import { type ActorsTable, checkFieldRefs, readableConflicts, readableStates } from "./readable";
import { type FoundRecord, searchRecords as findRecords, parseRecordSearch, recordNames } from "./record-search";
import { type AnyTrackedTable, formatRecordKey, parseRecordKey, type TrackedTable } from "./registry";
import { applyRetention as applyRetentionPolicies, type RetentionOptions, type RetentionPolicies } from "./retention";
import { type RevertOptions, type RevertResult, revertEvent } from "./revert";
import { activityEvents } from "./schema";
import { readHead } from "./sequencer";
import { asOf as stateAsOf } from "./time-travel";
import { createTracker } from "./tracking";
import type { RecordRef } from "./types";
import type { VerifyOptions } from "./verify";
import { type WorkspaceId, workspaceKey } from "./workspace";

export { type Actor, type ActorType, actorKey } from "./actor";
export { type BaseAction, defineCatalogue } from "./catalogue";
export {
  type Checkpoint,
  type CheckpointDocument,
  type CheckpointKey,
  type CheckpointKind,
  checkpointKey,
  latestCheckpoint,
  openCheckpointDocument,
  signCheckpoints,
  takeCheckpoint,
} from "./checkpoint";
export { type ActivityContext, currentActivityContext, runWithActivityContext } from "./context";
export { ERASED, type ErasureResult } from "./erasure";
export { ACTIVITY_ERROR_STATUS, ActivityError, type ActivityErrorCode } from "./errors";
export { type ActivityItem, FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT, type FeedFilters, type FeedPage } from "./feed";
export type { FieldOptions } from "./fields";
export { activityGrantStatements, activityGrantsSql, type GrantOptions } from "./grants";
export { lastVerification, type StoredVerification, verifyAndRecord } from "./integrity";
export {
  createLiveHub,
  LIVE_LIMIT_DEFAULTS,
  type Listen,
  type LiveHub,
  type LiveLimits,
  type LiveStream,
  type LiveSubscriber,
  parseLiveParams,
} from "./live";
export {
  type ActorsTable,
  changesText,
  fieldText,
  type ReadableChange,
  type ReadableConflict,
  type ReadableField,
  type ReadableStateField,
} from "./readable";
export {
  type FoundRecord,
  RECORD_SEARCH_DEFAULT_LIMIT,
  RECORD_SEARCH_MAX_LIMIT,
  RECORD_SEARCH_MAX_QUERY,
} from "./record-search";
export { type AnyTrackedTable, formatRecordKey, parseRecordKey, type TrackedTable, trackTable } from "./registry";
export { resetActivityLog } from "./reset";
export type { RetentionOptions, RetentionOutcome, RetentionPolicies } from "./retention";
export type { RevertConflict, RevertErrorCode, RevertOptions, RevertResult } from "./revert";
export { type ActivityEventRow, activityEvents, activityRemovals } from "./schema";
export type { PeriodicCheckpoints } from "./seal";
export type { SequencerOptions, TickOptions } from "./sequencer";
export { sequenceOnce, startSequencer } from "./sequencer";
export { activityFrame, type ResetReason, resetFrame, sseComment, sseFrame } from "./sse";
export type { RecordState } from "./time-travel";
export type { FailureResult, Subject, TrackingOptions } from "./tracking";
export type { RecordRef, RowChange } from "./types";
export { type ChainProblem, type ChainProblemKind, type VerifyOptions, type VerifyResult, verifyChain } from "./verify";
export { type WorkspaceId, workspaceKey } from "./workspace";

/** Who is asking, as the host's own session says: read by the route factories on every request. */
export interface ActivityViewer {
  /** The viewer as the actor of what they do (a revert, say). */
  actor: Actor;
  /** The workspace (tenant) whose events they see; null in an app without tenants. */
  workspaceId: string | number | null;
  /** May read the audit log and its export (an admin, say). */
  canAudit: boolean;
}

/** What the seam hands the kit: see `createActivityKit`. */
export interface ActivityKitConfig<Db extends AnyDatabase, C extends Catalogue> {
  /** The host's drizzle database (or a function that opens it on first use: never at import time). */
  db: () => Db | Promise<Db>;
  catalogue: C;
  tables: readonly AnyTrackedTable[];
  /**
   * The host's users table, its key and the column with their names: when a user is deleted their events
   * stay, with the name as it was, and lose the link to them (the kit's migration installs the trigger that
   * does it). A field registered with `ref: "user"` reads as the person's current name (`label`), or as
   * the name their events recorded.
   */
  actors?: ActorsTable;
  /** Signs feed cursors (at least 16 characters): a tampered or foreign cursor is refused. Needed by `feed`. */
  secret?: string | (() => string);
  /**
   * Reads the viewer of the current request from the host's session (null when signed out). Needed by the
   * route factories of `lib/activity/next`.
   */
  viewer?: () => Promise<ActivityViewer | null>;
  /**
   * Re-reads the viewer for an open live stream, every `live.recheckViewerMs` (default: `viewer`). A stream's
   * response has long been sent by then, so nothing it does to the session (an Auth.js `auth()` re-encrypts
   * a refreshed cookie each call) can reach the browser: a host may give a cheaper read that only verifies
   * the session and still checks that it is live (signed out, deleted, lost the workspace).
   */
  recheckViewer?: () => Promise<ActivityViewer | null>;
  /**
   * Subscribes to a PostgreSQL channel on a connection of its own, for the live feed. By default derived
   * from the db's client: postgres.js (`sql.listen`) or PGlite (`pg.listen`).
   */
  listen?: Listen;
  /**
   * Signs exported checkpoints of the hash chain: an Ed25519 private key (PEM, PKCS#8). Its public key
   * verifies them offline. Without one, checkpoints are signed with an HMAC of `secret`.
   */
  checkpointKey?: string | (() => string | undefined);
  /**
   * The live streams' bounds: `replayLimit` (500 events replayed at most, then a `reset`),
   * `maxStreamsPerViewer` (10 per viewer and process, then 429), `recheckViewerMs` (30 s between re-reads
   * of the viewer), `maxBufferedBytes` (1 MiB unread for a slow client, then a `reset` and the end).
   */
  live?: LiveLimits;
  /**
   * How long events are kept, by action (`{ "task.*": "2 years", "user.signed_in": "90 days" }`; see
   * retention.ts): applied by `applyRetention`, which `npm run activity:retention` runs. Without it events
   * are kept for ever.
   */
  retention?: RetentionPolicies;
}

// One hub per server process: Next loads route bundles and instrumentation as separate module graphs, each
// with its own copy of the seam, so the hub lives on globalThis rather than in a module variable.
const LIVE_HUB = Symbol.for("activity-kit.live-hub");
const globalForLive = globalThis as { [LIVE_HUB]?: LiveHub };

/**
 * The kit for one app, made once in the seam (`lib/activity-kit.ts`): `withTracking`, the feed and audit
 * reads, `asOf`, `revert`, the live hub and the viewer, all on the host's database and registrations.
 */
export function createActivityKit<Db extends AnyDatabase, C extends Catalogue>(config: ActivityKitConfig<Db, C>) {
  const byTable = new Map<PgTable, AnyTrackedTable>(config.tables.map((t) => [t.table, t]));
  const { withTracking } = createTracker(config);
  const queries = createQueries(config.db);

  /** `task:42` for a row of a registered table. */
  function recordKey<T extends PgTable>(table: T, row: T["$inferSelect"]): string {
    const registration = byTable.get(table) as TrackedTable<T> | undefined;
    if (!registration) throw new Error("recordKey: that table is not registered with the activity kit.");
    return formatRecordKey(registration.ref(row));
  }

  const actions = [...BASE_ACTIONS, ...Object.keys(config.catalogue)];
  const codec = () => createCursorCodec((typeof config.secret === "function" ? config.secret() : config.secret) ?? "");

  /** Events as the API and the feed show them (see items.ts). */
  checkFieldRefs(config.tables, config.actors);
  const toItems: ToItems = async (rows, options) =>
    toEventItems(await config.db(), config.tables, rows, { ...options, actors: config.actors });

  /**
   * A page of the workspace's feed from the query string of `GET /api/activity` (limit, cursor, record,
   * actor, action, from, to). Bad input throws an ActivityError naming the parameter. `workspaceId` is the
   * viewer's tenant; null in a single-tenant app (the events of workspace `""`).
   */
  async function feed(
    workspaceId: WorkspaceId,
    search: URLSearchParams,
    options: { audit?: boolean } = {},
  ): Promise<FeedPage> {
    const params = parseFeedParams(search, actions);
    const db = await config.db();
    // Read before the page: every event up to `head` is visible to the page's query, and the first page
    // stops there, so a live stream opened with `after=head` continues exactly where the page starts.
    const head = await readHead(db, workspaceKey(workspaceId));
    const { rows, nextCursor } = await readFeedPage(db, codec(), workspaceKey(workspaceId), params, head);
    return { items: await toItems(rows, options), nextCursor, head };
  }

  /**
   * Every event that passes the filters (the feed's query string, less `limit` and `cursor`), newest first,
   * as items with their request context, in batches: for exports. Bad input throws before the first batch.
   */
  function exportItems(workspaceId: WorkspaceId, search: URLSearchParams) {
    for (const key of ["limit", "cursor"]) {
      if (search.has(key)) throw new ActivityError("invalid_filter", `"${key}" does not apply to an export.`, key);
    }
    const { limit: _limit, cursor: _cursor, ...filters } = parseFeedParams(search, actions);
    return (async function* () {
      for await (const rows of readAllEvents(await config.db(), workspaceKey(workspaceId), filters)) {
        yield await toItems(rows, { audit: true });
      }
    })();
  }

  /**
   * The workspace's records whose name contains the text, from the query string of
   * `GET /api/activity/records` (`q`, `type`, `limit`): found through their events, so a deleted record
   * is found too. Bad input throws an ActivityError naming the parameter. See record-search.ts.
   */
  async function searchRecords(workspaceId: WorkspaceId, search: URLSearchParams): Promise<FoundRecord[]> {
    const params = parseRecordSearch(search);
    return findRecords(await config.db(), config.tables, config.actors, workspaceKey(workspaceId), params);
  }

  /**
   * A record's name now, or as last recorded when it is gone, for a filter's field and chip: null when none
   * is known, or when `record` is a key (`task:42`, the URL's) that is not well formed.
   */
  async function recordLabel(
    record: RecordRef | string,
    options: { workspaceId?: WorkspaceId } = {},
  ): Promise<string | null> {
    let ref: RecordRef;
    try {
      ref = typeof record === "string" ? parseRecordKey(record) : record;
    } catch {
      return null;
    }
    const db = await config.db();
    const names = await recordNames(db, config.tables, config.actors, workspaceKey(options.workspaceId), [ref]);
    return names.get(formatRecordKey(ref)) ?? null;
  }

  /** The record's state at an instant (see time-travel.ts). */
  async function asOf(record: RecordRef, at: Date, options: { workspaceId?: WorkspaceId } = {}) {
    return stateAsOf(await config.db(), config.tables, record, at, workspaceKey(options.workspaceId));
  }

  /**
   * The record's states at these instants, each with its fields as people read them (labels, formats,
   * names) where it existed: what a time-travel view shows and compares.
   */
  async function statesAt(record: RecordRef, instants: readonly Date[], options: { workspaceId?: WorkspaceId } = {}) {
    const db = await config.db();
    const workspaceId = workspaceKey(options.workspaceId);
    const states = await Promise.all(instants.map((at) => stateAsOf(db, config.tables, record, at, workspaceId)));
    const rows = states.flatMap((s) => (s.status === "exists" ? [s.row] : []));
    const readable = await readableStates(db, config.tables, config.actors, workspaceId, record.type, rows);
    let next = 0;
    return states.map((state, i) => ({
      at: instants[i]!,
      state,
      fields: state.status === "exists" ? readable[next++]! : null,
    }));
  }

  /**
   * Reverts an event: its fields back to their values before it, a deleted record recreated, an inserted
   * one deleted. Refused with the conflicting fields when they changed since, unless `force`. Tracked as a
   * `revert` event linked to the one it reverted (which can be reverted in turn).
   */
  async function revert(
    actor: Actor,
    eventId: number,
    options: Omit<RevertOptions, "revertedActor"> = {},
  ): Promise<RevertResult> {
    // "revert" is a base action of every catalogue; the generic catalogue type cannot show that here.
    const track = withTracking as unknown as (
      actor: Actor,
      action: "revert",
      subject: (r: Extract<RevertResult, { ok: true }>) => string,
      fn: (tx: AnyDatabase) => Promise<RevertResult>,
      options: object,
    ) => Promise<RevertResult>;
    // Whose change it undoes, for the line "Alice reverted Bob's change to …" (events never change: read
    // before the revert's transaction, which checks the event again).
    const [undone] = await (await config.db())
      .select({ actorLabel: activityEvents.actorLabel })
      .from(activityEvents)
      .where(and(eq(activityEvents.id, eventId), eq(activityEvents.workspaceId, workspaceKey(actor.workspaceId))));
    const result = await revertEvent(
      (who, fn, opts) => track(who, "revert", (r) => r.data.subject, fn, opts),
      config.tables,
      actor,
      eventId,
      { ...options, revertedActor: undone?.actorLabel },
    );
    // The conflicting fields as the diffs write them: "Assignee", "Bob Brown", not `assignee_id` and 2.
    if (result.ok || !result.error.conflicts?.length) return result;
    const conflicts = result.error.conflicts;
    const readable = await readableConflicts(
      await config.db(),
      config.tables,
      config.actors,
      workspaceKey(actor.workspaceId),
      conflicts,
    );
    const labels = [...new Set(readable.map((r) => r.label))].join(", ");
    return {
      ok: false,
      error: {
        ...result.error,
        message: `Changed since this event: ${labels}. Confirm to overwrite.`,
        conflicts: conflicts.map((c, i) => ({ ...c, readable: readable[i] })),
      },
    };
  }

  /**
   * This process's live hub: one listening connection (and the sequencer), fanning sequenced events out to
   * the open streams. Created on first use; `registerActivity` starts it at server start.
   */
  function live(): LiveHub {
    globalForLive[LIVE_HUB] ??= createLiveHub({
      db: config.db,
      listen: config.listen ?? (async (...args) => listenThrough(await config.db(), ...args)),
      toItems,
      limits: config.live,
    });
    return globalForLive[LIVE_HUB];
  }

  /**
   * Removes the events the seam's retention policies no longer keep, in batches, each recorded in
   * `activity_removals` (their seals stay); `dryRun` counts them instead. See retention.ts.
   */
  async function applyRetention(options: RetentionOptions = {}) {
    return applyRetentionPolicies(await config.db(), config.retention ?? {}, options);
  }

  /**
   * Erases an actor's personal data (name, id, IP address, user agent) from every event they did, keeping
   * the events, their changes and the chain's proof of them. See erasure.ts.
   */
  async function eraseActor(
    actorId: string | number,
    options: { actorType?: string; reason?: string } = {},
  ): Promise<ErasureResult> {
    return eraseActorEvents(await config.db(), actorId, options);
  }

  /**
   * Erases a record's personal values (the columns its registration marks `personal`) from every past
   * change of it, keeping the structure and the other fields' diffs. See erasure.ts.
   */
  async function eraseRecord(type: string, id: string | number, options: { reason?: string } = {}) {
    return eraseRecordEvents(await config.db(), config.tables, type, id, options);
  }

  /** The viewer of the current request (the seam's `viewer`); throws when the seam gives none. */
  async function viewer(): Promise<ActivityViewer | null> {
    if (!config.viewer) {
      throw new ActivityError("not_registered", "createActivityKit needs `viewer` for the route handlers.");
    }
    return config.viewer();
  }

  /** The viewer again, for an open stream (the seam's `recheckViewer`, else `viewer`). */
  async function recheckViewer(): Promise<ActivityViewer | null> {
    return config.recheckViewer ? config.recheckViewer() : viewer();
  }

  /** The key checkpoints are signed and checked with (see `checkpointKey` and `secret`). */
  function signingKey(): CheckpointKey {
    const privateKey = typeof config.checkpointKey === "function" ? config.checkpointKey() : config.checkpointKey;
    const secret = typeof config.secret === "function" ? config.secret() : config.secret;
    return checkpointKey({ privateKey: privateKey || undefined, secret });
  }

  /** Verifies the workspace's hash chain and records the outcome (see verify.ts); `lastVerification` reads it. */
  async function verify(workspaceId: WorkspaceId, options?: VerifyOptions) {
    return verifyAndRecord(await config.db(), workspaceKey(workspaceId), options);
  }

  /** Takes a checkpoint of each workspace's chain head and returns them signed: keep the JSON elsewhere. */
  async function checkpoint(workspaceIds: readonly WorkspaceId[]): Promise<CheckpointDocument> {
    const db = await config.db();
    const key = signingKey();
    const taken = [];
    for (const w of workspaceIds) taken.push(await takeCheckpoint(db, workspaceKey(w)));
    return signCheckpoints(taken, key);
  }

  return {
    withTracking,
    live,
    verify,
    lastVerification: async (workspaceId: WorkspaceId) =>
      lastVerification(await config.db(), workspaceKey(workspaceId)),
    checkpoint,
    signingKey,
    viewer,
    recheckViewer,
    asOf,
    statesAt,
    revert,
    applyRetention,
    eraseActor,
    eraseRecord,
    /** The seam's retention policies (empty: keep every event). */
    retention: config.retention ?? {},
    recordKey,
    feed,
    exportItems,
    searchRecords,
    recordLabel,
    toItems,
    actions,
    /** The host's database, as the seam opens it (the CLI's `coverage` uses it without DATABASE_URL). */
    db: config.db,
    tables: config.tables,
    actors: config.actors,
    catalogue: config.catalogue,
    ...queries,
  };
}
