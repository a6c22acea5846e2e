ALTER TABLE "activity_sequence" ADD COLUMN "actor_id" text;--> statement-breakpoint
-- Events sequenced before this column existed: their actor, from the event.
UPDATE "activity_sequence" AS s SET "actor_id" = e."actor_id"
  FROM "activity_events" AS e WHERE e."id" = s."event_id" AND e."actor_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "activity_sequence_actor_idx" ON "activity_sequence" USING btree ("workspace_id","actor_id","seq");
