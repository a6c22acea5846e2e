import { type AnyColumn, sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import type { RecordRef, RowChange } from "./types";

/**
 * One row per event. Append-only by privilege: the app's role may INSERT and SELECT only (grants.ts), and a
 * trigger refuses UPDATE, DELETE and TRUNCATE to every role but the table's owner, whose SECURITY DEFINER
 * routines (retention, erasure, reset) record what they did in `activity_removals`. Record ids, actor ids and workspace ids are text so the kit fits any host's key type, and there
 * is no foreign key to the records: history outlives them.
 *
 * In the database it is partitioned by month on `occurred_at` (docs/partitions.md), its primary key
 * (workspace_id, occurred_at, id): the kit's migration (base-sql.ts) makes it so, which drizzle-kit cannot
 * express. Here `id` stays the key drizzle knows; do not `drizzle-kit push` the kit's tables.
 */
export const activityEvents = pgTable(
  "activity_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    // Milliseconds, like a JavaScript Date, so a cursor built from a Date finds the row again.
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    subject: text("subject").notNull(),
    recordType: text("record_type"),
    recordId: text("record_id"),
    related: jsonb("related").$type<RecordRef[]>().notNull().default([]),
    /** Keys (`type:id`) of every record the event touched other than its own: related and cascaded. */
    refs: text("refs").array().notNull().default(sql`'{}'::text[]`),
    changes: jsonb("changes").$type<RowChange[]>().notNull().default([]),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    requestId: text("request_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    txId: bigint("tx_id", { mode: "number" }).notNull().default(sql`pg_current_xact_id()::text::bigint`),
    /** Written by a trigger for a change made outside withTracking (raw SQL, a script, another service). */
    unattributed: boolean("unattributed").notNull().default(false),
    /**
     * Set only by erasure: for each value it removed (a JSON pointer into the event, `/actor_label`,
     * `/changes/0/after/email`), the digest the value had, so the hash chain still verifies (canonical.ts).
     */
    erased: jsonb("erased").$type<Record<string, string>>(),
  },
  (t) => [
    index("activity_events_feed_idx").on(t.workspaceId, t.occurredAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("activity_events_actor_idx").on(
      t.workspaceId,
      t.actorId,
      t.occurredAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("activity_events_record_idx").on(t.workspaceId, t.recordType, t.recordId, t.occurredAt, t.id),
    // Only the events that name other records: `touchingRecord` says `refs <> '{}'`, which both lets the
    // planner use this index and estimate its scan from the share of events with refs, not a default share
    // of the table (a scan costed as 0.5% of 10 million events was JIT-compiled: 112 ms for a 1 ms page).
    index("activity_events_refs_idx").using("gin", t.refs).where(sql`${t.refs} <> '{}'::text[]`),
    // The sequencer reads the events of recent transactions. (A BRIN index would cost the writers less,
    // but it summarizes new pages only on VACUUM, and until then every tick re-reads them all.)
    index("activity_events_tx_idx").on(t.txId),
  ],
);

/**
 * How far behind (ms) an event's time may lie and still be found by a date range's walk of the sequence
 * (feed.ts); those further behind are in `activity_sequence_late_idx`. Part of that index's definition.
 */
export const LATE_MS = 10_000;

/** The condition of `activity_sequence_late_idx`: an entry far behind, or of unknown lag. */
export const farBehind = (lagMs: AnyColumn) => sql`${lagMs} IS NULL OR ${lagMs} > ${sql.raw(String(LATE_MS))}`;

/**
 * The order in which events became visible, per workspace: written by the sequencer after commit, in a
 * table of its own so the events stay untouched (no second version of every row, no index churn). The feed
 * pages in this order, and a live subscriber resumes from the last `seq` it saw.
 */
export const activitySequence = pgTable(
  "activity_sequence",
  {
    workspaceId: text("workspace_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    eventId: bigint("event_id", { mode: "number" }).notNull(),
    /**
     * The event's actor as sequenced, so a page of one actor's events walks an index in sequence order (a
     * rare actor's page would otherwise scan the log). Only a guide: the feed checks the event's own
     * `actor_id`, which erasing a user clears.
     */
    actorId: text("actor_id"),
    /**
     * The event's time (it never changes), so a page of a date range finds where the range lies in the
     * sequence (with `lagMs`) and filters the entries it walks without reading their events. With the
     * workspace and `event_id`, the event's whole key: a lookup of the event reads its month's partition alone.
     */
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull(),
    /**
     * How far, in milliseconds, this event's time lies behind the latest time numbered up to it in its
     * workspace (`activity_heads.latest_at` then): 0 for an event in time order, more for one whose
     * transaction began before others that were numbered first, or whose time was given. Null where a kit
     * without the column numbered it. A page of a date range finds where the range lies in the sequence
     * from the events in time order, and only the far-behind ones from an index of their own (feed.ts).
     */
    lagMs: bigint("lag_ms", { mode: "number" }),
  },
  (t) => [
    primaryKey({ name: "activity_sequence_pkey", columns: [t.workspaceId, t.seq] }),
    // Each event is numbered once. With the workspace in it, a key Citus accepts on a table distributed by
    // the workspace (docs/scaling.md), and the index of every lookup of a number by event.
    unique("activity_sequence_event_key").on(t.workspaceId, t.eventId),
    index("activity_sequence_actor_idx").on(t.workspaceId, t.actorId, t.seq),
    index("activity_sequence_time_idx").on(t.workspaceId, t.occurredAt, t.seq),
    // The events more than LATE_MS behind (and those of unknown lag): few, searched by time (feed.ts).
    index("activity_sequence_late_idx").on(t.workspaceId, t.occurredAt, t.seq).where(farBehind(t.lagMs)),
  ],
);

/** Each workspace's latest sequence number. */
export const activityHeads = pgTable("activity_heads", {
  workspaceId: text("workspace_id").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  /** The latest event time numbered so far (what `activity_sequence.lag_ms` is measured from). */
  latestAt: timestamp("latest_at", { withTimezone: true, precision: 3 }),
});

/**
 * Where the sequencer resumes: every transaction before `snapshot_xmax` and not in `snapshot_xip` is sequenced (`horizon`, the
 * oldest transaction then running, is what a base before version 3 kept). One row.
 */
export const activitySequencer = pgTable(
  "activity_sequencer",
  {
    id: integer("id").primaryKey().default(1),
    horizon: bigint("horizon", { mode: "number" }).notNull().default(0),
    snapshotXmax: bigint("snapshot_xmax", { mode: "number" }),
    snapshotXip: bigint("snapshot_xip", { mode: "number" }).array(),
  },
  (t) => [check("activity_sequencer_single_row", sql`${t.id} = 1`)],
);

/**
 * The hash chain: one seal per sequenced event, written by the sequencer in the tick that numbers it. A
 * seal keeps the event's digest, so an event removed by retention still has its link in the chain. Only
 * ever inserted.
 */
export const activitySeals = pgTable(
  "activity_seals",
  {
    workspaceId: text("workspace_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    eventId: bigint("event_id", { mode: "number" }).notNull(),
    /** The event's canonical digest (canonical.ts). */
    digest: text("digest").notNull(),
    /** chainHash over the previous seal's hash, the workspace, `seq` and `digest`. */
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ name: "activity_seals_pkey", columns: [t.workspaceId, t.seq] })],
);

/**
 * Heads of the chain worth keeping: `periodic` (taken by the sequencer), `manual` (on demand, exported
 * signed), `retention` (an anchor: the chain starts again after it, when retention dropped seals) and
 * `verification` (the outcome of a verify run, in `result`).
 */
export const activityCheckpoints = pgTable(
  "activity_checkpoints",
  {
    id: bigint("id", { mode: "number" }).notNull().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    hash: text("hash").notNull(),
    /** Events the chain covered up to `seq` (for a verification: the events it checked). */
    count: bigint("count", { mode: "number" }).notNull(),
    takenAt: timestamp("taken_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    kind: text("kind").notNull(),
    result: jsonb("result").$type<Record<string, unknown>>(),
  },
  (t) => [
    // With the workspace in it, a key Citus accepts on a table distributed by the workspace (docs/scaling.md).
    primaryKey({ name: "activity_checkpoints_pkey", columns: [t.workspaceId, t.id] }),
    index("activity_checkpoints_kind_idx").on(t.workspaceId, t.kind, t.id),
  ],
);

/**
 * What the owner's routines did to the log: `retention` (an event removed by a policy, named in `policy`),
 * `erasure` (an event's personal values erased; the row stays), `actor deleted`, `reset` (a workspace's log
 * emptied for re-seeding; `workspace_id` null for all of them). Written only by those routines.
 */
export const activityRemovals = pgTable(
  "activity_removals",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id"),
    eventId: bigint("event_id", { mode: "number" }),
    seq: bigint("seq", { mode: "number" }),
    reason: text("reason").notNull(),
    policy: text("policy"),
    removedAt: timestamp("removed_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index("activity_removals_event_idx").on(t.workspaceId, t.seq)],
);

/** One stored event, as drizzle reads it from `activity_events`. */
export type ActivityEventRow = typeof activityEvents.$inferSelect;
