CREATE TABLE "activity_heads" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activity_sequence" (
	"workspace_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	CONSTRAINT "activity_sequence_pkey" PRIMARY KEY("workspace_id","seq"),
	CONSTRAINT "activity_sequence_event_key" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "activity_sequencer" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"horizon" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "activity_sequencer_single_row" CHECK ("activity_sequencer"."id" = 1)
);
--> statement-breakpoint
CREATE INDEX "activity_events_tx_idx" ON "activity_events" USING btree ("tx_id");