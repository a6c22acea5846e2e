import { type Operation, runClients } from "./clients";
import { summarizeLatencies } from "./stats";

export interface RoundsCase {
  id: string;
  op: Operation;
  /** Runs before this case's warm-up (after `beforeEach`), unmeasured: start what the case needs. */
  before?: () => Promise<void>;
  /** Runs after this case's measured run, also when it failed, unmeasured: stop what `before` started. */
  after?: (result: RoundResult | undefined) => Promise<void>;
}

export interface RoundResult {
  round: number;
  /** Position of the case in its round (the order rotates every round). */
  position: number;
  ops: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  clientCpuPercent: number;
  hostCpuPercent: number;
  /** CPU time of the bench's cluster per operation, in µs (NaN for a server it did not start). */
  serverCpuUsPerOp: number;
}

export interface RoundsOptions {
  clients: number;
  seconds: number;
  warmup: number;
  rounds: number;
  /** Runs before every case's warm-up (a checkpoint, say), unmeasured. */
  beforeEach?: () => Promise<void>;
  onResult?: (id: string, result: RoundResult) => void;
}

/**
 * Runs every case once per round, side by side, rotating the order each round so no case always
 * follows the same one; machine noise then touches every case alike and medians over rounds compare.
 */
export async function runRounds(cases: readonly RoundsCase[], options: RoundsOptions) {
  const results = new Map<string, RoundResult[]>(cases.map((c) => [c.id, []]));
  for (let round = 0; round < options.rounds; round++) {
    const offset = round % cases.length;
    const order = [...cases.slice(offset), ...cases.slice(0, offset)];
    for (const [position, c] of order.entries()) {
      await options.beforeEach?.();
      await c.before?.();
      let result: RoundResult | undefined;
      try {
        if (options.warmup > 0) await runClients(options.clients, options.warmup, c.op);
        const run = await runClients(options.clients, options.seconds, c.op);
        const latency = summarizeLatencies(run.latencies);
        result = {
          round: round + 1,
          position,
          ops: run.ops,
          opsPerSec: run.opsPerSec,
          p50: latency.p50,
          p99: latency.p99,
          max: latency.max,
          clientCpuPercent: run.clientCpuPercent,
          hostCpuPercent: run.hostCpuPercent,
          serverCpuUsPerOp: (run.serverCpuMs * 1000) / run.ops,
        };
      } finally {
        await c.after?.(result);
      }
      results.get(c.id)!.push(result);
      options.onResult?.(c.id, result);
    }
  }
  return results;
}
