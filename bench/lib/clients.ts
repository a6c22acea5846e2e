import { readdirSync, readFileSync } from "node:fs";

/** One operation of one client: `client` is 0..n-1, `iteration` counts that client's calls from 0. */
export type Operation = (client: number, iteration: number) => Promise<unknown>;

export interface ClientsRun {
  ops: number;
  elapsedMs: number;
  opsPerSec: number;
  /** Every operation's latency in milliseconds, all clients together. */
  latencies: Float64Array;
  /** CPU time of this Node process (the clients) over the run, in % of one core. */
  clientCpuPercent: number;
  /** Busy time of the whole machine over the run, in % of all cores (Linux only, else NaN). */
  hostCpuPercent: number;
  /**
   * CPU time of the bench's own PostgreSQL cluster over the run (the postmaster and every process it
   * started: backends, WAL writer, checkpointer...), in ms; NaN for a server the bench did not start.
   */
  serverCpuMs: number;
}

/**
 * Runs `n` clients concurrently, each calling `op` in a closed loop (next call when the previous one
 * returns) until `seconds` have passed. Operations already started finish; throughput counts them over
 * the whole elapsed time. The first error stops every client and is rethrown.
 */
export async function runClients(n: number, seconds: number, op: Operation): Promise<ClientsRun> {
  const perClient: number[][] = Array.from({ length: n }, () => []);
  let failure: unknown;
  const hostBefore = hostCpuTimes();
  const serverBefore = serverCpuMs();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;

  await Promise.all(
    perClient.map(async (latencies, client) => {
      for (let iteration = 0; failure === undefined && performance.now() < deadline; iteration++) {
        const t0 = performance.now();
        try {
          await op(client, iteration);
        } catch (error) {
          failure ??= error;
          return;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );

  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const hostAfter = hostCpuTimes();
  const serverAfter = serverCpuMs();
  if (failure !== undefined) throw failure;

  const latencies = Float64Array.from(perClient.flat());
  return {
    ops: latencies.length,
    elapsedMs,
    opsPerSec: latencies.length / (elapsedMs / 1000),
    latencies,
    clientCpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
    hostCpuPercent:
      hostBefore && hostAfter
        ? (100 * (hostAfter.busy - hostBefore.busy)) / (hostAfter.total - hostBefore.total || 1)
        : Number.NaN,
    serverCpuMs: serverAfter - serverBefore,
  };
}

let postmasterPid: number | undefined;

/** Counts the CPU of the cluster whose data directory this is from now on (its postmaster.pid). */
export function watchServerProcesses(dataDir: string) {
  try {
    postmasterPid = Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n", 1)[0]);
  } catch {
    postmasterPid = undefined;
  }
}

/** utime + stime of the postmaster and its children, from /proc (Linux), in ms. */
function serverCpuMs(): number {
  if (!postmasterPid) return Number.NaN;
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces), from field 3 on.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pid = Number(entry);
    const ppid = Number(fields[1]);
    if (pid !== postmasterPid && ppid !== postmasterPid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / ticksPerMs;
}

/** Aggregate CPU ticks of the machine from /proc/stat (busy = all but idle and iowait). */
function hostCpuTimes(): { busy: number; total: number } | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return Number.isFinite(total) && total > 0 ? { busy: total - idle, total } : null;
  } catch {
    return null;
  }
}
