CREATE TABLE "activity_removals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "activity_removals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" text,
	"event_id" bigint,
	"seq" bigint,
	"reason" text NOT NULL,
	"policy" text,
	"removed_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "activity_removals_event_idx" ON "activity_removals" USING btree ("workspace_id","seq");