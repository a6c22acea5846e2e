-- activity-kit base version 4
-- Written by the activity kit's CLI (`activity migration`) from lib/activity-kit.ts:
--   the kit's tables, brought up to this kit's (1 change)
DO $record_index$
BEGIN
  IF coalesce(pg_get_indexdef(to_regclass('activity_events_record_idx')), '')
     NOT LIKE '%(workspace_id, record_type, record_id, occurred_at, id)%' THEN
    DROP INDEX IF EXISTS "activity_events_record_idx";
    CREATE INDEX "activity_events_record_idx" ON "activity_events" USING btree ("workspace_id","record_type","record_id","occurred_at","id");
  END IF;
END
$record_index$;
