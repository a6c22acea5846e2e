DROP INDEX "activity_events_refs_idx";--> statement-breakpoint
CREATE INDEX "activity_events_refs_idx" ON "activity_events" USING gin ("refs") WHERE "activity_events"."refs" <> '{}'::text[];