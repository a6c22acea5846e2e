/**
 * Benchmarks on a real PostgreSQL server: `npm run bench [-- <suite>...] [options]`.
 *
 * Uses BENCH_DATABASE_URL (or DATABASE_URL) when set: on that server it creates, migrates and finally drops
 * its own database `activity_kit_bench` (connecting to the maintenance database `postgres` to do so).
 * Otherwise it starts a throwaway PostgreSQL cluster on a free loopback port and removes it afterwards.
 * It prints numbers; it asserts nothing about them.
 */
import { cpus, loadavg, release, totalmem, type } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { openPostgres } from "@/lib/db/client";
import { audit } from "./audit";
import { feed } from "./feed";
import { http } from "./http";
import { createBenchDatabase, dropBenchDatabase, openBenchServer, serverInfo } from "./lib/server";
import { type BenchOptions, COMMIT_MODES, type CommitMode, type MachineInfo, type Suite } from "./lib/suite";
import { live } from "./live";
import { load } from "./load";
import { sequencer } from "./sequencer";
import { session } from "./session";
import { writePath } from "./write-path";

const SUITES: readonly Suite[] = [writePath, feed, live, audit, sequencer, session, load, http];

const USAGE = `Usage: npm run bench [-- [suite...] [options]]

Suites (default: all):
${SUITES.map((s) => `  ${s.name.padEnd(8)} ${s.description}`).join("\n")}

Options:
  --clients <list>  concurrent clients, comma-separated (default 16; the write suite: 1,4,16, each in turn;
                    other suites take the first)
  --seconds <s>     measured seconds per case and round (default 5)
  --warmup <s>      unmeasured seconds before each measured run (default 0.5)
  --rounds <n>      rounds of all cases, side by side (default 3)
  --modes <list>    commit modes, comma-separated: ${Object.keys(COMMIT_MODES).join(", ")} (default: all)
                    durable = synchronous_commit on, async = synchronous_commit off (no wait for the disk)
  --diagnose        also run the cases that show where the time goes
  --cases <regex>   write suite: only the cases whose id matches (ids: insert.bare, update.floor, ...)
  --help

Server: BENCH_DATABASE_URL, else DATABASE_URL, else a throwaway cluster (fsync on).
Feed size: BENCH_FEED_EVENTS (default 1000000) events in the measured workspace. More than 1000000 (e.g.
      10000000) measures at 1000000 first, grows the same database and measures again, then prints each figure
      at both sizes and the ratio; a comma-separated list (1000000,5000000,10000000) gives the sizes.
Audit: BENCH_AUDIT_EVENTS (default 1000000) events, sizes as for the feed; BENCH_AUDIT_FORMATS export formats
      (default csv,ndjson); BENCH_AUDIT_EXPORT_EVENTS: events the streamed export writes once grown (default as
      many as at the first size; "all").
Live: runs in the first of --modes; --clients and --seconds size its write-path case.
HTTP: needs \`npm run build\` first; BENCH_HTTP_WRITERS (50), BENCH_HTTP_MUTATIONS (200), BENCH_HTTP_SUBSCRIBERS (200),
      BENCH_HTTP_STREAMS (1000,5000), BENCH_HTTP_STEADY (20), BENCH_HTTP_BURST (50), BENCH_HTTP_HEALTH (200 probes),
      BENCH_HTTP_CYCLES (2 more open-and-close cycles per stream count); BENCH_HTTP_WRITERS=0 skips the load;
      BENCH_HTTP_BASELINE=0 skips the baseline (the same streams on plain node:http, bench/lib/bare-sse.mjs).
      BENCH_NEXT_NODE_ARGS: node flags for next start (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof");
      BENCH_HTTP_HEAP_SNAPSHOTS=1 with "--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=<dir>" there: heap
      snapshots before the streams open, while open, and 20 s after they close.`;

function positiveNumber(name: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a positive ${integer ? "integer" : "number"}, not "${value}"`);
  }
  return n;
}

function parseOptions(argv: string[]): { suites: Suite[]; options: BenchOptions } | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      clients: { type: "string" },
      seconds: { type: "string" },
      warmup: { type: "string" },
      rounds: { type: "string" },
      modes: { type: "string" },
      diagnose: { type: "boolean", default: false },
      cases: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return null;
  const suites = positionals.length ? positionals.map(findSuite) : [...SUITES];
  const clientCounts = values.clients?.split(",").map((c) => positiveNumber("clients", c.trim(), 16, true));
  const modes = (values.modes ?? Object.keys(COMMIT_MODES).join(",")).split(",").map((m) => m.trim());
  for (const mode of modes) {
    if (!(mode in COMMIT_MODES))
      throw new Error(`unknown mode "${mode}"; modes: ${Object.keys(COMMIT_MODES).join(", ")}`);
  }
  return {
    suites,
    options: {
      clients: clientCounts?.[0] ?? 16,
      clientCounts,
      seconds: positiveNumber("seconds", values.seconds, 5),
      warmup: values.warmup === "0" ? 0 : positiveNumber("warmup", values.warmup, 0.5),
      rounds: positiveNumber("rounds", values.rounds, 3, true),
      modes: modes as CommitMode[],
      diagnose: values.diagnose,
      cases: values.cases === undefined ? undefined : new RegExp(values.cases),
    },
  };
}

function findSuite(name: string): Suite {
  const suite = SUITES.find((s) => s.name === name);
  if (!suite) throw new Error(`unknown suite "${name}"; suites: ${SUITES.map((s) => s.name).join(", ")}`);
  return suite;
}

function machineInfo(): MachineInfo {
  const all = cpus();
  return {
    cpus: all.length,
    cpuModel: all[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  if (!parsed) {
    console.log(USAGE);
    return;
  }
  const { suites, options } = parsed;
  const machine = machineInfo();
  const server = await openBenchServer();
  try {
    const info = await serverInfo(server);
    const estimate = suites.reduce((total, s) => total + s.estimateSeconds(options), 0);
    console.log(`activity-kit bench: ${suites.map((s) => s.name).join(", ")} (about ${Math.ceil(estimate / 60)} min)
machine   ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node},
          load average at start ${machine.loadAverage.join(" ")}
server    PostgreSQL ${info.version}, ${server.source}; client and server share this machine over loopback
settings  ${Object.entries(info.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}
          (server-wide values; each mode sets synchronous_commit per session)`);

    for (const suite of suites) {
      const databaseUrl = await createBenchDatabase(server);
      try {
        const handle = await openPostgres(databaseUrl, { max: 1 });
        try {
          await handle.migrate();
        } finally {
          await handle.close();
        }
        await suite.run({
          options,
          server,
          info,
          machine,
          databaseUrl,
          resultsDir: path.join(process.cwd(), "bench", "results"),
        });
      } finally {
        await dropBenchDatabase(server);
      }
    }
  } finally {
    server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
