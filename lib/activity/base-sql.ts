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
