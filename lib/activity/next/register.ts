import type { LiveHub } from "../live";

/**
 * For the host's `instrumentation.ts` `register()`: starts this process's live hub (its listening
 * connection and the sequencer) and, on SIGTERM, closes the open event streams so the server exits at once
 * instead of waiting for browsers to hang up. Does nothing outside the Node runtime or during `next build`
 * (whose prerender workers must not open the database). Open and migrate the database before calling it.
 */
export async function registerActivity(kit: { live(): LiveHub }): Promise<void> {
  if (process.env.NEXT_RUNTIME && process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const hub = kit.live();
  await hub.start();
  process.once("SIGTERM", () => void hub.shutdown());
}
