-- activity-kit base version 4
-- Written by the activity kit's CLI (`activity migration`) from lib/activity-kit.ts:
--   the kit's tables, brought up to this kit's (2 changes)
DO $sequence_event_key$
BEGIN
  IF coalesce((SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
                WHERE c.conrelid = to_regclass('activity_sequence') AND c.conname = 'activity_sequence_event_key'), '')
     <> 'UNIQUE (workspace_id, event_id)' THEN
    ALTER TABLE "activity_sequence" DROP CONSTRAINT IF EXISTS "activity_sequence_event_key";
    ALTER TABLE "activity_sequence" ADD CONSTRAINT "activity_sequence_event_key" UNIQUE("workspace_id","event_id");
  END IF;
END
$sequence_event_key$;
--> statement-breakpoint
DO $sequence_time$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_attribute AS a
              WHERE a.attrelid = to_regclass('activity_sequence') AND a.attname = 'occurred_at' AND NOT a.attnotnull) THEN
    UPDATE "activity_sequence" AS s
       SET "occurred_at" = coalesce((SELECT e."occurred_at" FROM "activity_events" AS e
                                      WHERE e."workspace_id" = s."workspace_id" AND e."id" = s."event_id"), '-infinity')
     WHERE s."occurred_at" IS NULL;
    ALTER TABLE "activity_sequence" ALTER COLUMN "occurred_at" SET NOT NULL;
  END IF;
END
$sequence_time$;
