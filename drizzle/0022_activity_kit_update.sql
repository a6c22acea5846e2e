-- activity-kit base version 4
-- Written by the activity kit's CLI (`activity migration`) from lib/activity-kit.ts:
--   the kit's tables, brought up to this kit's (1 change)
DO $refs_index$
BEGIN
  IF coalesce(pg_get_indexdef(to_regclass('activity_events_refs_idx')), '') NOT LIKE '%WHERE%' THEN
    DROP INDEX IF EXISTS "activity_events_refs_idx";
    CREATE INDEX "activity_events_refs_idx" ON "activity_events" USING gin ("refs") WHERE "refs" <> '{}'::text[];
  END IF;
END
$refs_index$;
