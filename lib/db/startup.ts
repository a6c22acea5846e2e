import { getDbHandle } from "./index";

/** Opens the database at server start; if it cannot, the process exits with the reason. */
export async function openDatabaseOrExit(): Promise<void> {
  try {
    await getDbHandle();
  } catch (error) {
    console.error("activity-kit: could not open the database.", error);
    process.exit(1);
  }
}
