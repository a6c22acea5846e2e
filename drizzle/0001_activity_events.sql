CREATE TABLE "activity_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "activity_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
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
);
--> statement-breakpoint
CREATE INDEX "activity_events_feed_idx" ON "activity_events" USING btree ("workspace_id","occurred_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "activity_events_actor_idx" ON "activity_events" USING btree ("workspace_id","actor_id","occurred_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "activity_events_record_idx" ON "activity_events" USING btree ("record_type","record_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "activity_events_refs_idx" ON "activity_events" USING gin ("refs");