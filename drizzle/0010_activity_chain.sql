CREATE TABLE "activity_checkpoints" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "activity_checkpoints_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"count" bigint NOT NULL,
	"taken_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"result" jsonb
);
--> statement-breakpoint
CREATE TABLE "activity_seals" (
	"workspace_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	"digest" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "activity_seals_pkey" PRIMARY KEY("workspace_id","seq")
);
--> statement-breakpoint
CREATE INDEX "activity_checkpoints_kind_idx" ON "activity_checkpoints" USING btree ("workspace_id","kind","id");