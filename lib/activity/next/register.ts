import type { LiveHub } from "../live";

export interface RegisterActivityOptions {
  /**
   * After SIGTERM, how long the process may take to finish its other requests before it exits anyway
   * (ms; `false`: never force it). `next start` stops accepting connections and waits for the open ones,
   * and a browser keeps reusing its idle keep-alive sockets (an event stream reconnecting, a prefetch), so
   * without a bound the wait has no end that the server decides. Default 5,000.
   */
  exitAfterMs?: number | false;
}

/**
 * For the host's `instrumentation.ts` `register()`: starts this process's live hub (its listening
 * connection and the sequencer) and, on SIGTERM, closes the open event streams so the server exits
 * promptly instead of waiting for browsers to hang up. Does nothing outside the Node runtime or during
 * `next build` (whose prerender workers must not open the database). Open and migrate the database before
 * calling it.
 */
export async function registerActivity(kit: { live(): LiveHub }, options: RegisterActivityOptions = {}): Promise<void> {
  if (process.env.NEXT_RUNTIME && process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const hub = kit.live();
  await hub.start();
  const exitAfterMs = options.exitAfterMs ?? 5_000;
  // Before Next's own handler, which starts draining the server: the streams end first.
  process.prependOnceListener("SIGTERM", () => {
    void hub.shutdown();
    if (exitAfterMs === false) return;
    setTimeout(() => {
      console.warn(`activity-kit: still running ${exitAfterMs} ms after SIGTERM; exiting.`);
      process.exit(143);
    }, exitAfterMs).unref();
  });
}
