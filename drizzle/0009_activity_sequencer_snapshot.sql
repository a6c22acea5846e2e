ALTER TABLE "activity_sequencer" ADD COLUMN "snapshot_xmax" bigint;--> statement-breakpoint
ALTER TABLE "activity_sequencer" ADD COLUMN "snapshot_xip" bigint[];