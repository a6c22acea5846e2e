/**
 * Before the server answers requests: opens and migrates the database (seeding the embedded one on its
 * first start), then `registerActivity` starts the activity kit's live hub and sequencer.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // `next build` prerenders in several worker processes; none of them may open the embedded database.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startServer } = await import("./lib/startup");
  await startServer();
}
