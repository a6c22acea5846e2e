import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { watchServerProcesses } from "./clients";

/**
 * A throwaway PostgreSQL cluster on a free loopback port, with the server's default durability
 * (fsync on). `scripts/with-postgres.sh` is not reused: it starts the server with `-c fsync=off` on the
 * command line, which outranks ALTER SYSTEM and postgresql.conf, so a benchmark could not turn fsync back on.
 */
export interface Cluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  dataDir: string;
  /** Stops the server and deletes its directory; safe to call more than once. */
  stop(): void;
}

const isRoot = () => process.getuid?.() === 0;

function findBinDir(): string | null {
  const preferred = "/usr/lib/postgresql/15/bin";
  if (existsSync(path.join(preferred, "initdb"))) return preferred;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function startCluster(): Promise<Cluster> {
  const binDir = findBinDir();
  if (!binDir) {
    throw new Error(
      "No PostgreSQL server binaries under /usr/lib/postgresql/*/bin. Install them (apt-get install -y postgresql) " +
        "or set BENCH_DATABASE_URL to a server the bench may create a database on.",
    );
  }
  // /tmp rather than $TMPDIR: the postgres user must be able to reach it.
  const dir = mkdtempSync("/tmp/activity-kit-bench.");
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  // The server refuses to run as root: run its programs as the postgres user then.
  const run = (program: string, args: string[]) =>
    isRoot()
      ? execFileSync("runuser", ["-u", "postgres", "--", path.join(binDir, program), ...args], {
          cwd: dir,
          stdio: "pipe",
        })
      : execFileSync(path.join(binDir, program), args, { cwd: dir, stdio: "pipe" });
  if (isRoot()) execFileSync("chown", ["postgres:", dir]);

  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try {
        run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      } catch {
        console.error(`bench: pg_ctl stop failed; the server log is ${logFile}`);
        return;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
    // The port is free when chosen but could be taken before the server binds it: retry a few times.
    for (let attempt = 1; attempt <= 5 && !started; attempt++) {
      const port = await freePort();
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`;
      try {
        run("pg_ctl", ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", options, "start"]);
        started = true;
        watchServerProcesses(dataDir);
        return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dataDir, stop };
      } catch {
        if (attempt === 5) throw new Error(`could not start PostgreSQL:\n${tail(logFile)}`);
      }
    }
    throw new Error("unreachable");
  } catch (error) {
    stop();
    throw error;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "(no server log)";
  }
}
