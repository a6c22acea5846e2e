import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A `next start` of the existing build, on a port of its own, with the bench's database. */
export interface NextServer {
  baseUrl: string;
  pid: number;
  /** The server's resident memory in bytes: VmRSS of its process and every descendant. */
  rss(): number;
  /** The last lines it wrote, for an error message. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function vmRss(pid: number): number {
  try {
    const kb = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0; // it exited between listing and reading
  }
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function treeRss(pid: number): number {
  return vmRss(pid) + children(pid).reduce((total, child) => total + treeRss(child), 0);
}

/**
 * Starts `next start` (node running Next's CLI directly, not through npm, so the pid is the server's) and
 * waits for `/api/health`. Needs `npm run build` first: the build does not open the database, so any build
 * of this tree serves the bench's database given here by DATABASE_URL.
 */
export async function startNextServer(env: Record<string, string>): Promise<NextServer> {
  const root = process.cwd();
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new Error("the http bench serves the production build: run `npm run build` first");
  }
  const port = await freePort();
  return spawnServer(
    "next start",
    port,
    [
      // e.g. BENCH_NEXT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the server's time goes
      ...(process.env.BENCH_NEXT_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
      path.join(root, "node_modules", "next", "dist", "bin", "next"),
      "start",
      "-p",
      String(port),
      "-H",
      "127.0.0.1",
    ],
    { NEXT_TELEMETRY_DISABLED: "1", AUTH_TRUST_HOST: "true", ...env },
  );
}

/**
 * The HTTP bench's baseline (bench/lib/bare-sse.mjs): the same streams, health check and fan-out on plain
 * node:http, without Next, the kit or the database.
 */
export async function startBareSseServer(): Promise<NextServer> {
  const port = await freePort();
  return spawnServer("the bare SSE server", port, [path.join(process.cwd(), "bench", "lib", "bare-sse.mjs")], {
    PORT: String(port),
  });
}

/** Runs node with these arguments and waits until `/api/health` on the port answers. */
async function spawnServer(
  name: string,
  port: number,
  args: string[],
  env: Record<string, string>,
): Promise<NextServer> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stopOnExit = () => child.kill("SIGKILL");
  process.once("exit", stopOnExit);

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${tail}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not become healthy in 120 s:\n${tail}`);
    }
    await sleep(200);
  }
  const pid = child.pid ?? 0;
  return {
    baseUrl,
    pid,
    rss: () => treeRss(pid),
    output: () => tail,
    async stop() {
      process.off("exit", stopOnExit);
      if (child.exitCode === null) child.kill("SIGTERM");
      const timeout = sleep(10_000).then(() => child.kill("SIGKILL"));
      await Promise.race([exited, timeout]);
      await exited;
    },
  };
}
