ALTER TABLE "activity_sequence" DROP CONSTRAINT "activity_sequence_event_key";--> statement-breakpoint
ALTER TABLE "activity_checkpoints" DROP CONSTRAINT "activity_checkpoints_pkey";--> statement-breakpoint
UPDATE "activity_sequence" AS s SET "occurred_at" = coalesce((SELECT e."occurred_at" FROM "activity_events" AS e WHERE e."workspace_id" = s."workspace_id" AND e."id" = s."event_id"), '-infinity') WHERE s."occurred_at" IS NULL;--> statement-breakpoint
ALTER TABLE "activity_sequence" ALTER COLUMN "occurred_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "activity_checkpoints" ADD CONSTRAINT "activity_checkpoints_pkey" PRIMARY KEY("workspace_id","id");--> statement-breakpoint
ALTER TABLE "activity_sequence" ADD CONSTRAINT "activity_sequence_event_key" UNIQUE("workspace_id","event_id");
