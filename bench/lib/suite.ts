import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BenchServer, ServerInfo } from "./server";

/**
 * How commits are made durable, per session (postgres.js sends it as a connection parameter):
 * `durable` waits for the WAL flush at every commit (synchronous_commit=on); `async` does not
 * (synchronous_commit=off), which leaves the CPU work of the write path and no disk wait.
 */
export const COMMIT_MODES = {
  durable: { synchronous_commit: "on" },
  async: { synchronous_commit: "off" },
} as const satisfies Record<string, Record<string, string>>;
export type CommitMode = keyof typeof COMMIT_MODES;

export interface BenchOptions {
  clients: number;
  /** Every client count given with --clients (the write suite runs each in turn). */
  clientCounts?: number[];
  /** Measured seconds per case and round. */
  seconds: number;
  /** Unmeasured seconds before each measured run. */
  warmup: number;
  rounds: number;
  modes: CommitMode[];
  /** Also run the cases that explain where the time goes. */
  diagnose: boolean;
  /** Only the cases whose id matches (write suite), e.g. /^insert\./. */
  cases?: RegExp;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the bench started: anything else running shows here. */
  loadAverage: number[];
}

export interface SuiteContext {
  options: BenchOptions;
  server: BenchServer;
  info: ServerInfo;
  machine: MachineInfo;
  /** The bench's own migrated database, dropped after the suite. */
  databaseUrl: string;
  /** Where suites write their JSON results (gitignored). */
  resultsDir: string;
}

export interface Suite {
  name: string;
  description: string;
  /** Roughly how long the suite will take, for the header. */
  estimateSeconds(options: BenchOptions): number;
  run(context: SuiteContext): Promise<void>;
}

/**
 * Writes a suite's results to `<resultsDir>/<name>.json`, with the machine and the server it ran on, and
 * says where.
 */
export function writeResults(context: SuiteContext, name: string, body: Record<string, unknown>): void {
  mkdirSync(context.resultsDir, { recursive: true });
  const file = path.join(context.resultsDir, `${name}.json`);
  const json = {
    suite: name,
    finishedAt: new Date().toISOString(),
    machine: context.machine,
    server: { version: context.info.version, settings: context.info.settings, origin: context.server.origin },
    ...body,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nResults written to ${path.relative(process.cwd(), file)}`);
}
