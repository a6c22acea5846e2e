import { getDbHandle } from "@/lib/db";

/**
 * Server start, above both the database layer and the demo: opens and migrates the database, seeds the
 * embedded one on its first start, then starts the activity kit's live hub. If the database cannot be
 * opened the process exits with the reason, rather than answering 500 everywhere.
 */
export async function startServer(): Promise<void> {
  try {
    const handle = await getDbHandle();
    if (handle.kind === "pglite") {
      const { seedIfEmpty } = await import("@/lib/demo/seed");
      await seedIfEmpty(handle.db);
    }
  } catch (error) {
    console.error("activity-kit: could not open (or seed) the database.", error);
    process.exit(1);
  }
  const [{ registerActivity }, { activity }] = await Promise.all([
    import("@/lib/activity/next"),
    import("@/lib/activity-kit"),
  ]);
  await registerActivity(activity);
}
