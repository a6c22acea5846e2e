ALTER TABLE "activity_heads" ADD COLUMN "latest_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "activity_sequence" ADD COLUMN "lag_ms" bigint;--> statement-breakpoint
-- Hand-written (drizzle-kit does not write data changes): each entry's lag and each head's latest time, before the index.
DO $sequence_lag$
BEGIN
  IF EXISTS (SELECT 1 FROM "activity_sequence" WHERE "lag_ms" IS NULL AND isfinite("occurred_at")) THEN
    PERFORM pg_advisory_xact_lock(7318442905);
    UPDATE "activity_sequence" AS s
       SET "lag_ms" = r.lag
      FROM (SELECT "workspace_id", "seq",
                   CASE WHEN isfinite("occurred_at")
                        THEN (extract(epoch FROM max("occurred_at") OVER w - "occurred_at") * 1000)::bigint END AS lag
              FROM "activity_sequence"
             WHERE "workspace_id" IN (SELECT "workspace_id" FROM "activity_sequence" WHERE "lag_ms" IS NULL)
            WINDOW w AS (PARTITION BY "workspace_id" ORDER BY "seq")) AS r
     WHERE s."workspace_id" = r."workspace_id" AND s."seq" = r."seq" AND s."lag_ms" IS DISTINCT FROM r.lag;
    UPDATE "activity_heads" AS h
       SET "latest_at" = m.latest
      FROM (SELECT "workspace_id", max("occurred_at") FILTER (WHERE isfinite("occurred_at")) AS latest
              FROM "activity_sequence" GROUP BY "workspace_id") AS m
     WHERE h."workspace_id" = m."workspace_id" AND (h."latest_at" IS NULL OR h."latest_at" < m.latest);
  END IF;
END
$sequence_lag$;--> statement-breakpoint
CREATE INDEX "activity_sequence_late_idx" ON "activity_sequence" USING btree ("workspace_id","occurred_at","seq") WHERE "activity_sequence"."lag_ms" IS NULL OR "activity_sequence"."lag_ms" > 10000;