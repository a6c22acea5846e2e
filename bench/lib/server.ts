import postgres from "postgres";
import { type Cluster, startCluster } from "./cluster";

export const BENCH_DATABASE = "activity_kit_bench";

/** Where the bench runs: a server it was given, or a cluster it started (and stops) itself. */
export interface BenchServer {
  /** A URL of the server's maintenance database `postgres`. */
  maintenanceUrl: string;
  origin: "given" | "throwaway";
  /** Where the URL came from, for the header. */
  source: string;
  stop(): void;
}

/** `BENCH_DATABASE_URL`, then `DATABASE_URL`, else a throwaway cluster on a free loopback port. */
export async function openBenchServer(): Promise<BenchServer> {
  const given = process.env.BENCH_DATABASE_URL
    ? { url: process.env.BENCH_DATABASE_URL, source: "BENCH_DATABASE_URL" }
    : process.env.DATABASE_URL
      ? { url: process.env.DATABASE_URL, source: "DATABASE_URL" }
      : null;
  if (given) {
    return { maintenanceUrl: withDatabase(given.url, "postgres"), origin: "given", source: given.source, stop() {} };
  }
  const cluster: Cluster = await startCluster();
  // Stop the cluster even when the bench is interrupted.
  const onSignal = (signal: NodeJS.Signals) => {
    cluster.stop();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", cluster.stop);
  return {
    maintenanceUrl: cluster.url,
    origin: "throwaway",
    source: `throwaway cluster in ${cluster.dataDir}`,
    stop() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.off("exit", cluster.stop);
      cluster.stop();
    },
  };
}

/** The same server URL with another database (and any connection parameters kept). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The same URL with extra connection parameters (postgres.js sends unknown ones as session settings). */
export function withParameters(url: string, parameters: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(parameters)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

async function onMaintenance<T>(server: BenchServer, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(server.maintenanceUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Drops (if left over) and creates the bench's own database; returns its URL. */
export async function createBenchDatabase(server: BenchServer): Promise<string> {
  await onMaintenance(server, async (sql) => {
    await sql.unsafe(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await sql.unsafe(`CREATE DATABASE ${BENCH_DATABASE}`);
  });
  return withDatabase(server.maintenanceUrl, BENCH_DATABASE);
}

export async function dropBenchDatabase(server: BenchServer): Promise<void> {
  await onMaintenance(server, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`));
}

/** What the reader needs to judge the numbers: version and the durability settings. */
export interface ServerInfo {
  version: string;
  settings: Record<string, string>;
  superuser: boolean;
}

const REPORTED_SETTINGS = [
  "fsync",
  "synchronous_commit",
  "wal_sync_method",
  "full_page_writes",
  "shared_buffers",
  "max_wal_size",
] as const;

export async function serverInfo(server: BenchServer): Promise<ServerInfo> {
  return onMaintenance(server, async (sql) => {
    const [row] = await sql<{ version: string; superuser: boolean }[]>`
      select current_setting('server_version') as version,
             (select rolsuper from pg_roles where rolname = current_user) as superuser`;
    const rows = await sql<{ name: string; setting: string }[]>`
      select name, current_setting(name) as setting from pg_settings where name = any(${[...REPORTED_SETTINGS]})`;
    return {
      version: row?.version ?? "unknown",
      superuser: row?.superuser ?? false,
      settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])),
    };
  });
}
