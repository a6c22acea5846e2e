import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

/** Another `next start` of the same build, for the tests that need a server of their own. */
export function spawnNextStart(port: number, env: Record<string, string> = {}): ChildProcess {
  return spawn(path.join("node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: "ignore",
  });
}

/** Whether the process has ended (one that died of a signal has a signalCode and no exitCode). */
export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Waits (up to a minute) until the server answers its health check; throws if it exits or never does. */
export async function waitForHealth(origin: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240 && !hasExited(child); i++) {
    const ok = await fetch(`${origin}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server at ${origin} did not become healthy`);
}
