/**
 * Opens and migrates the database (and seeds the embedded one on its first start) before the server
 * answers requests. If that fails the process exits with the reason, rather than answering 500 everywhere.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // `next build` prerenders in several worker processes; none of them may open the embedded database.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { openDatabaseOrExit } = await import("./lib/db/startup");
  await openDatabaseOrExit();
}
