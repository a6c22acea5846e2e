ALTER TABLE "activity_events" ADD COLUMN "erased" jsonb;
