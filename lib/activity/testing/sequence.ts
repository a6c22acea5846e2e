import type { AnyDatabase } from "../database";
import { sequenceOnce } from "../sequencer";

/** Runs the sequencer until every committed event has its number (the feed holds numbered events only). */
export async function sequenceAll(db: AnyDatabase): Promise<void> {
  while (Object.keys(await sequenceOnce(db)).length > 0) {}
}
