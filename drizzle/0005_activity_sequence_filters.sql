ALTER TABLE "activity_sequence" ADD COLUMN "actor_id" text;--> statement-breakpoint
ALTER TABLE "activity_sequence" ADD COLUMN "occurred_at" timestamp (3) with time zone;--> statement-breakpoint
-- Events sequenced before these columns existed: their actor and time, from the event.
UPDATE "activity_sequence" AS s SET "actor_id" = e."actor_id", "occurred_at" = e."occurred_at"
  FROM "activity_events" AS e WHERE e."id" = s."event_id";--> statement-breakpoint
CREATE INDEX "activity_sequence_actor_idx" ON "activity_sequence" USING btree ("workspace_id","actor_id","seq");--> statement-breakpoint
CREATE INDEX "activity_sequence_time_idx" ON "activity_sequence" USING btree ("workspace_id","occurred_at","seq");
