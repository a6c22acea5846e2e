/**
 * The kit's own tables, as the kit's base migration creates them in a host whose schema does not export
 * `lib/activity/schema.ts` (a test checks they match it). The functions come from `sql.ts`.
 */
export const KIT_TABLES_SQL = [
  `CREATE TABLE IF NOT EXISTS "activity_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"workspace_id" text NOT NULL,
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"actor_label" text NOT NULL,
	"action" text NOT NULL,
	"subject" text NOT NULL,
	"record_type" text,
	"record_id" text,
	"related" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"refs" text[] DEFAULT '{}'::text[] NOT NULL,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"request_id" text,
	"ip" text,
	"user_agent" text,
	"tx_id" bigint DEFAULT pg_current_xact_id()::text::bigint NOT NULL,
	"unattributed" boolean DEFAULT false NOT NULL
)`,
  `CREATE INDEX IF NOT EXISTS "activity_events_feed_idx" ON "activity_events" USING btree ("workspace_id","occurred_at" DESC NULLS FIRST,"id" DESC NULLS FIRST)`,
  `CREATE INDEX IF NOT EXISTS "activity_events_actor_idx" ON "activity_events" USING btree ("workspace_id","actor_id","occurred_at" DESC NULLS FIRST,"id" DESC NULLS FIRST)`,
  `CREATE INDEX IF NOT EXISTS "activity_events_record_idx" ON "activity_events" USING btree ("record_type","record_id","occurred_at","id")`,
  `CREATE INDEX IF NOT EXISTS "activity_events_refs_idx" ON "activity_events" USING gin ("refs")`,
  `CREATE INDEX IF NOT EXISTS "activity_events_tx_idx" ON "activity_events" USING btree ("tx_id")`,
  `CREATE TABLE IF NOT EXISTS "activity_heads" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL
)`,
  `CREATE TABLE IF NOT EXISTS "activity_sequence" (
	"workspace_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	"actor_id" text,
	"occurred_at" timestamp (3) with time zone,
	CONSTRAINT "activity_sequence_pkey" PRIMARY KEY("workspace_id","seq"),
	CONSTRAINT "activity_sequence_event_key" UNIQUE("event_id")
)`,
  `CREATE INDEX IF NOT EXISTS "activity_sequence_actor_idx" ON "activity_sequence" USING btree ("workspace_id","actor_id","seq")`,
  `CREATE INDEX IF NOT EXISTS "activity_sequence_time_idx" ON "activity_sequence" USING btree ("workspace_id","occurred_at","seq")`,
  `CREATE TABLE IF NOT EXISTS "activity_sequencer" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"horizon" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "activity_sequencer_single_row" CHECK ("activity_sequencer"."id" = 1)
)`,
];

/** How many months ahead of this one the events table keeps partitions for (activity_partitions_ensure). */
export const PARTITION_MONTHS_AHEAD = 3;

/**
 * Turns an unpartitioned `activity_events` into a partitioned one. The old table is renamed aside with its
 * indexes and identity sequence; the new one is made LIKE it (same columns, defaults, identity), partitioned
 * by month with the primary key (workspace_id, occurred_at, id): a key must contain the partition key, and
 * leading with the workspace keeps it a valid Citus distribution key. `id` stays unique through its identity
 * sequence. The old table's other indexes are made again from their own definitions, on the parent (so on
 * every partition), plus one on `id` alone for the lookups by id (erasure, retention, the sequence's joins).
 * Then every month that holds rows and this month to PARTITION_MONTHS_AHEAD ahead get a partition, the rows
 * are copied, the sequence moves to where the old one was (or past max(id)), the grants and owner are
 * copied, and the old table is dropped. The guard triggers are made here when the guard function exists
 * (a host's upgrade) and again by the kit's functions (privileged-sql.ts), which follow in the same migration.
 */
const PARTITION_EVENTS_SQL = `DO $partition$
DECLARE
  old_seq text := pg_get_serial_sequence('activity_events', 'id');
  new_seq text;
  owner_name text;
  index_defs text[];
  def text;
  idx record;
  g record;
  m timestamptz;
  part text;
  last_id bigint;
  was_called boolean;
  max_id bigint;
BEGIN
  IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = to_regclass('activity_events')) IS DISTINCT FROM 'r' THEN
    RETURN;
  END IF;
  LOCK TABLE activity_events IN ACCESS EXCLUSIVE MODE;
  SELECT pg_catalog.pg_get_userbyid(c.relowner) INTO owner_name FROM pg_catalog.pg_class AS c WHERE c.oid = 'activity_events'::regclass;
  SELECT coalesce(array_agg(pg_catalog.pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid), '{}') INTO index_defs
    FROM pg_catalog.pg_index AS i
   WHERE i.indrelid = 'activity_events'::regclass
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint AS k WHERE k.conindid = i.indexrelid);
  ALTER TABLE activity_events RENAME TO activity_events_unpartitioned;
  FOR idx IN SELECT i.indexrelid::regclass::text AS name FROM pg_catalog.pg_index AS i
              WHERE i.indrelid = 'activity_events_unpartitioned'::regclass LOOP
    EXECUTE format('ALTER INDEX %s RENAME TO %I', idx.name, left('old_' || idx.name, 63));
  END LOOP;
  IF old_seq IS NOT NULL THEN
    EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', old_seq, 'activity_events_unpartitioned_id_seq');
    SELECT s.last_value, s.is_called INTO last_id, was_called FROM activity_events_unpartitioned_id_seq AS s;
  END IF;
  CREATE TABLE activity_events (
    LIKE activity_events_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING COMMENTS,
    CONSTRAINT activity_events_pkey PRIMARY KEY (workspace_id, occurred_at, id)
  ) PARTITION BY RANGE (occurred_at);
  EXECUTE format('ALTER TABLE activity_events OWNER TO %I', owner_name);
  FOREACH def IN ARRAY index_defs LOOP
    EXECUTE def;
  END LOOP;
  IF to_regclass('activity_events_id_idx') IS NULL THEN
    CREATE INDEX activity_events_id_idx ON activity_events USING btree (id);
  END IF;
  CREATE TABLE activity_events_default PARTITION OF activity_events DEFAULT;
  FOR m IN
    SELECT gs.month_start FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                                    (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '${PARTITION_MONTHS_AHEAD} months') AT TIME ZONE 'UTC',
                                    interval '1 month') AS gs(month_start)
    UNION
    SELECT DISTINCT date_trunc('month', o.occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM activity_events_unpartitioned AS o
  LOOP
    part := 'activity_events_p' || to_char(m AT TIME ZONE 'UTC', 'YYYYMM');
    EXECUTE format('CREATE TABLE %I PARTITION OF activity_events FOR VALUES FROM (%L) TO (%L)', part,
                   to_char(m AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' 00:00:00+00',
                   to_char((m AT TIME ZONE 'UTC') + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
    EXECUTE format('ALTER TABLE %I OWNER TO %I', part, owner_name);
  END LOOP;
  EXECUTE format('ALTER TABLE activity_events_default OWNER TO %I', owner_name);
  INSERT INTO activity_events OVERRIDING SYSTEM VALUE SELECT * FROM activity_events_unpartitioned;
  new_seq := pg_get_serial_sequence('activity_events', 'id');
  SELECT max(o.id) INTO max_id FROM activity_events_unpartitioned AS o;
  IF coalesce(was_called, false) OR max_id IS NOT NULL THEN
    PERFORM setval(new_seq, greatest(CASE WHEN was_called THEN last_id END, max_id), true);
  END IF;
  FOR g IN SELECT c.oid AS rel, a.grantee, a.privilege_type, a.is_grantable, c.relkind
             FROM pg_catalog.pg_class AS c, aclexplode(c.relacl) AS a
            WHERE c.oid IN ('activity_events_unpartitioned'::regclass, to_regclass('activity_events_unpartitioned_id_seq'))
              AND a.grantee <> c.relowner LOOP
    EXECUTE format('GRANT %s ON %s %s TO %s%s', g.privilege_type,
                   CASE WHEN g.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                   CASE WHEN g.relkind = 'S' THEN new_seq ELSE 'activity_events' END,
                   CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END,
                   CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;
  IF to_regprocedure('activity_events_guard()') IS NOT NULL THEN
    CREATE TRIGGER activity_events_append_only BEFORE UPDATE OR DELETE ON activity_events FOR EACH ROW EXECUTE FUNCTION activity_events_guard();
    FOR part IN SELECT x.relid::text FROM pg_partition_tree('activity_events') AS x WHERE x.relid <> 'activity_events'::regclass UNION ALL SELECT 'activity_events' LOOP
      EXECUTE format('CREATE TRIGGER activity_events_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION activity_events_guard()', part);
    END LOOP;
  END IF;
  DROP TABLE activity_events_unpartitioned;
END
$partition$`;

/** The record index as (workspace_id, record_type, record_id, occurred_at, id); before, it had no workspace. */
const RECORD_INDEX_BY_WORKSPACE_SQL = `DO $record_index$
BEGIN
  IF coalesce(pg_get_indexdef(to_regclass('activity_events_record_idx')), '')
     NOT LIKE '%(workspace_id, record_type, record_id, occurred_at, id)%' THEN
    DROP INDEX IF EXISTS "activity_events_record_idx";
    CREATE INDEX "activity_events_record_idx" ON "activity_events" USING btree ("workspace_id","record_type","record_id","occurred_at","id");
  END IF;
END
$record_index$`;

/**
 * The refs index holds only the events that name other records (`WHERE refs <> '{}'`); before, every event.
 * The record condition (touching.ts) says `refs <> '{}'` too, so the planner uses it and costs its scan from
 * the share of events with refs. Rebuilt once (writes to the events table wait while it builds), unless it
 * already is partial, e.g. from a host's drizzle-kit migration of the same change.
 */
const REFS_INDEX_PARTIAL_SQL = `DO $refs_index$
BEGIN
  IF coalesce(pg_get_indexdef(to_regclass('activity_events_refs_idx')), '') NOT LIKE '%WHERE%' THEN
    DROP INDEX IF EXISTS "activity_events_refs_idx";
    CREATE INDEX "activity_events_refs_idx" ON "activity_events" USING gin ("refs") WHERE "refs" <> '{}'::text[];
  END IF;
END
$refs_index$`;

/**
 * Each event is numbered once per workspace: `activity_sequence_event_key` becomes UNIQUE (workspace_id,
 * event_id), a key Citus accepts on a table distributed by the workspace (docs/scaling.md). Rebuilt once
 * (the table is locked while its new index builds), unless it already is, e.g. from a host's drizzle-kit
 * migration of the same change.
 */
const SEQUENCE_EVENT_KEY_BY_WORKSPACE_SQL = `DO $sequence_event_key$
BEGIN
  IF coalesce((SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
                WHERE c.conrelid = to_regclass('activity_sequence') AND c.conname = 'activity_sequence_event_key'), '')
     <> 'UNIQUE (workspace_id, event_id)' THEN
    ALTER TABLE "activity_sequence" DROP CONSTRAINT IF EXISTS "activity_sequence_event_key";
    ALTER TABLE "activity_sequence" ADD CONSTRAINT "activity_sequence_event_key" UNIQUE("workspace_id","event_id");
  END IF;
END
$sequence_event_key$`;

/**
 * `activity_sequence.occurred_at` is always set: the sequencer writes it, and migration 0005 of a base
 * filled it in. A row still without it takes its event's time first; one whose event is gone (a row
 * deleted beside the kit's routines, which verify reports) takes '-infinity', a time no event has.
 */
const SEQUENCE_TIME_NOT_NULL_SQL = `DO $sequence_time$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_attribute AS a
              WHERE a.attrelid = to_regclass('activity_sequence') AND a.attname = 'occurred_at' AND NOT a.attnotnull) THEN
    UPDATE "activity_sequence" AS s
       SET "occurred_at" = coalesce((SELECT e."occurred_at" FROM "activity_events" AS e
                                      WHERE e."workspace_id" = s."workspace_id" AND e."id" = s."event_id"), '-infinity')
     WHERE s."occurred_at" IS NULL;
    ALTER TABLE "activity_sequence" ALTER COLUMN "occurred_at" SET NOT NULL;
  END IF;
END
$sequence_time$`;

/**
 * The checkpoints' primary key is (workspace_id, id), a key Citus accepts on a table distributed by the
 * workspace; before, it was `id` alone. Rebuilt once, unless it already is (a host's drizzle-kit migration).
 */
const CHECKPOINTS_KEY_BY_WORKSPACE_SQL = `DO $checkpoints_key$
BEGIN
  IF coalesce((SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
                WHERE c.conrelid = to_regclass('activity_checkpoints') AND c.contype = 'p'), '')
     <> 'PRIMARY KEY (workspace_id, id)' THEN
    ALTER TABLE "activity_checkpoints" DROP CONSTRAINT IF EXISTS "activity_checkpoints_pkey";
    ALTER TABLE "activity_checkpoints" ADD CONSTRAINT "activity_checkpoints_pkey" PRIMARY KEY("workspace_id","id");
  END IF;
END
$checkpoints_key$`;

/**
 * Each sequence entry's lag (schema.ts `lagMs`) and each head's `latest_at`, for the entries numbered before
 * the columns existed (or by a kit without them, during a rolling upgrade): the lag of every entry of the
 * workspaces that have such entries is measured from the latest time up to it in sequence order. Under the
 * sequencer's leader lock, so no tick numbers meanwhile; every entry of those workspaces is rewritten once.
 */
const SEQUENCE_LAG_SQL = `DO $sequence_lag$
BEGIN
  IF EXISTS (SELECT 1 FROM "activity_sequence" WHERE "lag_ms" IS NULL AND isfinite("occurred_at")) THEN
    PERFORM pg_advisory_xact_lock(7318442905);
    UPDATE "activity_sequence" AS s
       SET "lag_ms" = r.lag
      FROM (SELECT "workspace_id", "seq",
                   CASE WHEN isfinite("occurred_at")
                        THEN (extract(epoch FROM max("occurred_at") OVER w - "occurred_at") * 1000)::bigint END AS lag
              FROM "activity_sequence"
             WHERE "workspace_id" IN (SELECT "workspace_id" FROM "activity_sequence" WHERE "lag_ms" IS NULL)
            WINDOW w AS (PARTITION BY "workspace_id" ORDER BY "seq")) AS r
     WHERE s."workspace_id" = r."workspace_id" AND s."seq" = r."seq" AND s."lag_ms" IS DISTINCT FROM r.lag;
    UPDATE "activity_heads" AS h
       SET "latest_at" = m.latest
      FROM (SELECT "workspace_id", max("occurred_at") FILTER (WHERE isfinite("occurred_at")) AS latest
              FROM "activity_sequence" GROUP BY "workspace_id") AS m
     WHERE h."workspace_id" = m."workspace_id" AND (h."latest_at" IS NULL OR h."latest_at" < m.latest);
  END IF;
END
$sequence_lag$`;

/**
 * Changes to the kit's tables since base version 2, each idempotent and in order. A new host runs them right
 * after KIT_TABLES_SQL; a host whose migrations already created the tables gets, in its next kit migration,
 * the ones its migrations lack (a drizzle-kit migration of the same change counts: `IF NOT EXISTS` aside,
 * it is the same statement). Append only: never edit one that has shipped.
 */
export const KIT_TABLE_UPGRADES_SQL: readonly string[] = [
  // Erasure (GDPR): the digests of the values an erasure removed, by JSON pointer, so the chain still verifies.
  `ALTER TABLE "activity_events" ADD COLUMN IF NOT EXISTS "erased" jsonb`,
  // The sequencer's last busy snapshot: its xmax and the transactions still running (sequencer.ts).
  `ALTER TABLE "activity_sequencer" ADD COLUMN IF NOT EXISTS "snapshot_xmax" bigint`,
  `ALTER TABLE "activity_sequencer" ADD COLUMN IF NOT EXISTS "snapshot_xip" bigint[]`,
  // The hash chain (integrity.ts): a seal per sequenced event, and checkpoints of its head.
  `CREATE TABLE IF NOT EXISTS "activity_seals" (
	"workspace_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	"digest" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "activity_seals_pkey" PRIMARY KEY("workspace_id","seq")
)`,
  `CREATE TABLE IF NOT EXISTS "activity_checkpoints" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "activity_checkpoints_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"count" bigint NOT NULL,
	"taken_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"result" jsonb
)`,
  `CREATE INDEX IF NOT EXISTS "activity_checkpoints_kind_idx" ON "activity_checkpoints" USING btree ("workspace_id","kind","id")`,
  // What the owner's routines removed or erased (retention, erasure, a reset), so verify can tell a
  // removal the kit made from a deleted row.
  `CREATE TABLE IF NOT EXISTS "activity_removals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "activity_removals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" text,
	"event_id" bigint,
	"seq" bigint,
	"reason" text NOT NULL,
	"policy" text,
	"removed_at" timestamp (3) with time zone DEFAULT now() NOT NULL
)`,
  `CREATE INDEX IF NOT EXISTS "activity_removals_event_idx" ON "activity_removals" USING btree ("workspace_id","seq")`,
  // Monthly partitions (docs/partitions.md): the events table becomes PARTITION BY RANGE (occurred_at), one
  // partition per UTC month plus a default one, keeping every row, id, grant and the identity sequence's
  // position. A fresh install runs it on the empty table; a host's existing log is copied in one transaction
  // (ACCESS EXCLUSIVE for the copy). Does nothing when the table is already partitioned.
  PARTITION_EVENTS_SQL,
  // The record index leads with the workspace, like every other key and index of the kit's tables (Citus
  // prunes shards from it, docs/scaling.md): rebuilt once, unless it already has (workspace_id, record_type,
  // ...), e.g. from a host's drizzle-kit migration of the same change.
  RECORD_INDEX_BY_WORKSPACE_SQL,
  // activity_sequence's event key leads with the workspace, and its time is never null (see each).
  SEQUENCE_EVENT_KEY_BY_WORKSPACE_SQL,
  SEQUENCE_TIME_NOT_NULL_SQL,
  // The checkpoints' key leads with the workspace too.
  CHECKPOINTS_KEY_BY_WORKSPACE_SQL,
  // The refs index holds only the events with refs (see it).
  REFS_INDEX_PARTIAL_SQL,
  // Each entry's lag behind the latest time numbered before it, and the index of the far-behind entries:
  // a page of a date range walks the sequence instead of sorting the range (feed.ts).
  `ALTER TABLE "activity_heads" ADD COLUMN IF NOT EXISTS "latest_at" timestamp (3) with time zone`,
  `ALTER TABLE "activity_sequence" ADD COLUMN IF NOT EXISTS "lag_ms" bigint`,
  SEQUENCE_LAG_SQL,
  `CREATE INDEX IF NOT EXISTS "activity_sequence_late_idx" ON "activity_sequence" USING btree ("workspace_id","occurred_at","seq") WHERE "activity_sequence"."lag_ms" IS NULL OR "activity_sequence"."lag_ms" > 10000`,
];

/** Every statement that makes the kit's tables as this kit has them. */
export const kitTableStatements = (): string[] => [...KIT_TABLES_SQL, ...KIT_TABLE_UPGRADES_SQL];

/** The kit's tables, by name. */
export const KIT_TABLES = [
  "activity_events",
  "activity_heads",
  "activity_sequence",
  "activity_sequencer",
  "activity_seals",
  "activity_checkpoints",
  "activity_removals",
] as const;
