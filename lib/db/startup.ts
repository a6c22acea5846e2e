import { getDbHandle } from "./index";

/**
 * Opens the database at server start, then starts this process's live hub (its listening connection and
 * the sequencer). If the database cannot be opened the process exits with the reason. On SIGTERM the open
 * event streams are closed, so the server exits promptly instead of waiting for browsers to hang up.
 */
export async function openDatabaseOrExit(): Promise<void> {
  try {
    await getDbHandle();
  } catch (error) {
    console.error("activity-kit: could not open the database.", error);
    process.exit(1);
  }
  const { liveHub } = await import("@/lib/activity-kit");
  await liveHub().start();
  process.once("SIGTERM", () => void liveHub().shutdown());
}
