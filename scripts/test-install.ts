/**
 * `npm run test:install`: installs the kit into a fresh create-next-app, as the README's guide says, and
 * drives the result. In a temporary directory that shares nothing with this repository but the npm cache:
 *
 *   create-next-app (pinned, its defaults) → a `notes` table (serial key, `team_id`), drizzle → the three
 *   registry items with the real shadcn CLI, from this repo's public/r → the seam, instrumentation and two
 *   tracked server actions → ESLint, `next build` (with its type check; no database needed) → migrations on
 *   DATABASE_URL's server (a database of its own) → `next start` → a tracked action over HTTP stores an
 *   event with its diff; the feed route returns it; Chromium shows it on the feed page and receives the
 *   next one live; a failed action stores nothing; and the server logged no error meanwhile.
 *
 * Needs DATABASE_URL (a PostgreSQL server it may create a database on): run it under
 * scripts/with-postgres.sh. KEEP_INSTALL_DIR=1 keeps the app for a look afterwards; REUSE_INSTALL_DIR=<dir>
 * (a kept directory) starts again from the shadcn step, for working on the kit's install.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import postgres from "postgres";

const CREATE_NEXT_APP = "create-next-app@16.4.3";
const SHADCN = "shadcn@4.23.1";
/** The versions the kit is tested against (package.json), installed in the host before the items. */
const HOST_PACKAGES = ["drizzle-orm@0.45.4", "postgres@3.4.9"];
const HOST_DEV_PACKAGES = ["drizzle-kit@0.31.11", "tsx@4.23.15"];
const ITEMS = ["activity-kit", "activity-feed", "activity-audit"];

const repo = path.resolve(import.meta.dirname, "..");
const here = path.join(repo, "scripts", "test-install");

const timings: { step: string; seconds: number; ok: boolean }[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
let logFile = "";

function log(message: string) {
  console.log(`[install] ${message}`);
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  log(`▶ ${name}`);
  try {
    const result = await fn();
    const seconds = (performance.now() - started) / 1000;
    timings.push({ step: name, seconds, ok: true });
    log(`✔ ${name} (${seconds.toFixed(1)} s)`);
    return result;
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    timings.push({ step: name, seconds, ok: false });
    log(`✘ ${name} (${seconds.toFixed(1)} s)`);
    throw error;
  }
}

/** The environment of every command: nothing of this repository's npm run, telemetry off. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = {} as NodeJS.ProcessEnv;
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("npm_") || key === "INIT_CWD" || key === "DATABASE_URL" || key === "TEST_DATABASE_URL") {
      continue;
    }
    env[key] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", CI: "1", NO_UPDATE_NOTIFIER: "1", ...extra };
}

/** Runs a command to completion within `timeoutMs`, its output appended to the log; throws on failure. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logFile, { flags: "a" });
    out.write(`\n$ ${command} ${args.join(" ")}   (in ${options.cwd})\n`);
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: cleanEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      out.write(chunk);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${command} ${args.join(" ")} took longer than ${options.timeoutMs / 1000} s\n${tail(output)}`));
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      out.end();
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}\n${tail(output)}`));
    });
  });
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/**
 * The registry the CLI talks to, on a loopback port: this repo's items under /r/, and in place of
 * shadcn's own registry (REGISTRY_URL) the base colour and the primitives the items name.
 */
async function startRegistry(): Promise<{ url: string; requests: string[]; missing: string[] }> {
  const files = new Map<string, string>();
  for (const name of await readdir(path.join(repo, "public", "r"))) {
    files.set(`/r/${name}`, await readFile(path.join(repo, "public", "r", name), "utf8"));
  }
  files.set("/colors/neutral.json", await readFile(path.join(here, "neutral.json"), "utf8"));
  const standIns: Record<string, { file: string; dependencies: string[]; registryDependencies: string[] }> = {
    utils: { file: "utils.ts", dependencies: ["clsx", "tailwind-merge"], registryDependencies: [] },
    button: { file: "button.tsx", dependencies: ["class-variance-authority"], registryDependencies: ["utils"] },
    input: { file: "input.tsx", dependencies: [], registryDependencies: ["utils"] },
    card: { file: "card.tsx", dependencies: [], registryDependencies: ["utils"] },
  };
  for (const [name, item] of Object.entries(standIns)) {
    const isLib = name === "utils";
    const target = isLib ? "lib/utils.ts" : `components/ui/${item.file}`;
    // The CLI asks for the style named in components.json, then for its Tailwind v4 variant.
    const json = JSON.stringify({
      $schema: "https://ui.shadcn.com/schema/registry-item.json",
      name,
      type: isLib ? "registry:lib" : "registry:ui",
      dependencies: item.dependencies,
      registryDependencies: item.registryDependencies,
      files: [
        {
          path: `registry/new-york-v4/${isLib ? "lib" : "ui"}/${item.file}`,
          type: isLib ? "registry:lib" : "registry:ui",
          target,
          content: await readFile(path.join(here, "shadcn", item.file), "utf8"),
        },
      ],
    });
    files.set(`/styles/new-york/${name}.json`, json);
    files.set(`/styles/new-york-v4/${name}.json`, json);
  }
  const requests: string[] = [];
  const missing: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost").pathname;
    requests.push(url);
    const body = files.get(url);
    if (body === undefined) {
      missing.push(url);
      response.writeHead(404, { "content-type": "application/json" }).end("{}");
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, missing };
}

/** The id Next gave a server action, from the build's manifest, so it can be called over HTTP. */
async function actionId(app: string, exportName: string): Promise<string> {
  const manifest = JSON.parse(
    await readFile(path.join(app, ".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { exportedName?: string; filename?: string }> };
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.exportedName === exportName) return id;
  }
  throw new Error(`server action ${exportName} is not in the build's manifest`);
}

/** Calls a server action the way Next's client does: a POST with the action id and the arguments. */
async function callAction(base: string, id: string, args: unknown[]): Promise<string> {
  const response = await fetch(`${base}/`, {
    method: "POST",
    headers: { "Next-Action": id, Accept: "text/x-component", "Content-Type": "text/plain;charset=UTF-8" },
    body: JSON.stringify(args),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`server action answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

/** A fresh create-next-app with the host's own database layer: what the guide's first step starts from. */
async function createApp(root: string, app: string) {
  await step(`create-next-app (${CREATE_NEXT_APP}, its defaults)`, () =>
    run(
      "npx",
      ["--yes", CREATE_NEXT_APP, "myapp", "--ts", "--app", "--eslint", "--use-npm", "--import-alias", "@/*"].concat([
        "--yes",
        "--disable-git",
      ]),
      { cwd: root, timeoutMs: 240_000 },
    ),
  );

  await step("the host's own database layer: drizzle, a notes table (serial key, team_id)", async () => {
    // No internet: create-next-app's layout loads Google fonts, so it is replaced by a plain one.
    for (const file of ["db/schema.ts", "db/index.ts", "drizzle.config.ts", "app/layout.tsx"]) {
      await mkdir(path.dirname(path.join(app, file)), { recursive: true });
      await cp(path.join(here, "host", file), path.join(app, file));
    }
    await run("npm", ["install", "--no-audit", "--no-fund", "--save-exact", ...HOST_PACKAGES], {
      cwd: app,
      timeoutMs: 180_000,
    });
    await run("npm", ["install", "--no-audit", "--no-fund", "--save-exact", "-D", ...HOST_DEV_PACKAGES], {
      cwd: app,
      timeoutMs: 180_000,
    });
  });
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error("DATABASE_URL is not set: run under scripts/with-postgres.sh");
  const registryDir = path.join(repo, "public", "r");
  for (const item of ITEMS) {
    if (!existsSync(path.join(registryDir, `${item}.json`))) throw new Error(`public/r/${item}.json is missing`);
  }

  const reuse = process.env.REUSE_INSTALL_DIR;
  const root = reuse ? path.resolve(reuse) : await mkdtemp(path.join(tmpdir(), "activity-kit-install-"));
  logFile = path.join(root, "install.log");
  log(`working in ${root} (full output in ${logFile})`);
  if (!process.env.KEEP_INSTALL_DIR && !reuse) cleanups.push(() => rm(root, { recursive: true, force: true }));
  const app = path.join(root, "myapp");

  // A database of its own on the given server, dropped at the end.
  const dbName = `install_${process.pid}_${Date.now()}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  cleanups.push(async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  });
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${dbName}`;
  const DATABASE_URL = databaseUrl.toString();
  const appEnv = { DATABASE_URL, ACTIVITY_SECRET: "install-test-secret-0123456789" };

  if (!reuse) await createApp(root, app);

  const registry = await startRegistry();

  await step(`shadcn add the three items (${SHADCN})`, async () => {
    await writeFile(
      path.join(app, "components.json"),
      `${JSON.stringify(
        {
          $schema: "https://ui.shadcn.com/schema.json",
          style: "new-york",
          rsc: true,
          tsx: true,
          tailwind: { config: "", css: "app/globals.css", baseColor: "neutral", cssVariables: true, prefix: "" },
          aliases: {
            components: "@/components",
            utils: "@/lib/utils",
            ui: "@/components/ui",
            lib: "@/lib",
            hooks: "@/hooks",
          },
          iconLibrary: "lucide",
          registries: { "@activity-kit": `${registry.url}/r/{name}.json` },
        },
        null,
        2,
      )}\n`,
    );
    await run(
      "npx",
      ["--yes", SHADCN, "add", ...ITEMS.map((item) => `@activity-kit/${item}`), "--yes", "--overwrite"],
      { cwd: app, env: { REGISTRY_URL: registry.url }, timeoutMs: 240_000 },
    );
    log(`registry requests: ${[...new Set(registry.requests)].join(" ")}`);
    check(registry.missing.length === 0, `the CLI asked for files nobody serves: ${registry.missing.join(", ")}`);
    for (const file of [
      "lib/activity/index.ts",
      "lib/activity/next/index.ts",
      "components/activity/activity-feed.tsx",
      "components/audit/audit-log.tsx",
      "app/api/activity/route.ts",
      "app/api/activity/records/route.ts",
      "app/api/activity/stream/route.ts",
      "app/activity/page.tsx",
      "app/audit/page.tsx",
      "app/audit/[type]/[id]/page.tsx",
      "components/ui/button.tsx",
      "lib/utils.ts",
    ]) {
      check(existsSync(path.join(app, file)), `${file} was not installed`);
    }
    const shipped = await readdir(path.join(app, "lib", "activity"), { recursive: true });
    const tests = shipped.filter((file) => /\.test\.tsx?$/.test(file) || file.startsWith("testing"));
    check(tests.length === 0, `tests were shipped: ${tests.join(", ")}`);
  });

  await step("the seam, instrumentation and two tracked server actions", async () => {
    check(
      existsSync(path.join(app, "lib/activity-kit.ts")),
      "the item did not install the seam template lib/activity-kit.ts",
    );
    for (const file of [
      "lib/activity-kit.ts",
      "instrumentation.ts",
      "app/notes/actions.ts",
      "app/notes/note-form.tsx",
      "app/notes/page.tsx",
    ]) {
      await mkdir(path.dirname(path.join(app, file)), { recursive: true });
      await cp(path.join(here, "host", file), path.join(app, file));
    }
  });

  await step("ESLint (create-next-app's config) on the whole app", () =>
    run("npx", ["eslint", "."], { cwd: app, timeoutMs: 180_000 }),
  );
  // next build type-checks the whole app with create-next-app's tsconfig (ES2017 target, strict).
  await step("next build (its type check on)", () =>
    run("npx", ["next", "build"], { cwd: app, env: appEnv, timeoutMs: 360_000 }),
  );

  // After the build, which must need no database (a deploy builds before it migrates).
  const migrate = { cwd: app, env: appEnv, timeoutMs: 120_000 };
  await step("migrations: drizzle-kit generate, activity migration, drizzle-kit migrate", async () => {
    await run("npx", ["drizzle-kit", "generate", "--name", "notes"], migrate);
    await run("npx", ["tsx", "lib/activity/cli.ts", "migration"], migrate);
    await run("npx", ["drizzle-kit", "migrate"], migrate);
    await run("npx", ["tsx", "lib/activity/cli.ts", "coverage"], migrate);
  });

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // What the server printed: it must log no error while the steps below use the app.
  let serverLog = "";
  await step(`next start (port ${port})`, async () => {
    const out = createWriteStream(logFile, { flags: "a" });
    const server = spawn("npx", ["next", "start", "-H", "127.0.0.1", "-p", String(port)], {
      cwd: app,
      env: cleanEnv(appEnv),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    server.stdout.pipe(out);
    server.stderr.pipe(out);
    const keep = (chunk: Buffer) => {
      serverLog += chunk.toString();
    };
    server.stdout.on("data", keep);
    server.stderr.on("data", keep);
    cleanups.unshift(async () => {
      killGroup(server);
      const exited = await Promise.race([
        new Promise<boolean>((resolve) => server.once("close", () => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      if (!exited) killGroup(server, "SIGKILL");
    });
    await waitFor("next start to answer", 60_000, async () => {
      if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}`);
      const response = await fetch(`${base}/api/activity`);
      return response.status === 200 ? true : undefined;
    });
  });

  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  cleanups.unshift(() => sql.end());
  const createId = await actionId(app, "createNoteAction");
  const renameId = await actionId(app, "renameNoteAction");

  const note = await step("a tracked server action over HTTP stores the note and its event with the diff", async () => {
    await callAction(base, createId, ["First note"]);
    const [row] = await sql<{ id: number }[]>`SELECT id FROM notes WHERE title = 'First note'`;
    check(row, "the note was not stored");
    const [event] = await sql<
      { action: string; record_id: string; changes: unknown; actor_label: string; request_id: string | null }[]
    >`SELECT action, record_id, changes, actor_label, request_id FROM activity_events WHERE record_type = 'note'`;
    check(event, "no event was stored for the note");
    check(event.action === "insert" && event.record_id === String(row.id), `unexpected event ${JSON.stringify(event)}`);
    check(
      JSON.stringify(event.changes).includes("First note"),
      `the event's changes lack the title: ${JSON.stringify(event.changes)}`,
    );
    check(event.actor_label === "Ada Lovelace", `the actor is ${event.actor_label}`);
    check(event.request_id, "the event has no request id (withActivityRequest)");
    return row;
  });

  await step("the copied feed route returns it", async () => {
    const page = await waitFor("the event in GET /api/activity", 10_000, async () => {
      const response = await fetch(`${base}/api/activity`);
      check(response.status === 200, `GET /api/activity answered ${response.status}`);
      const body = (await response.json()) as { items: { action: string; subject: string; record: { id: string } }[] };
      return body.items.length > 0 ? body : undefined;
    });
    check(page.items[0]?.subject === "note First note", `the feed's first item: ${JSON.stringify(page.items[0])}`);
    const bad = await fetch(`${base}/api/activity?limit=0`);
    check(bad.status === 400, `a bad limit answered ${bad.status}, not 400`);
  });

  await step("Chromium shows it on the copied feed page and receives the next one live", async () => {
    const browser = await chromium.launch({
      executablePath: existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
    });
    cleanups.unshift(() => browser.close());
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    // The next event must come over the live stream: no reload, no refetch of the feed.
    const feedFetches: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/api/activity" || (url.pathname === "/activity" && request.resourceType() !== "document")) {
        feedFetches.push(request.url());
      }
    });
    const streamOpen = page.waitForResponse((r) => r.url().includes("/api/activity/stream") && r.status() === 200, {
      timeout: 20_000,
    });
    await page.goto(`${base}/activity`, { timeout: 30_000 });
    await page.getByText("First note").first().waitFor({ timeout: 15_000 });
    await streamOpen;
    const fetchesBefore = feedFetches.length;
    await callAction(base, renameId, [note.id, "Renamed note"]);
    await page.getByText("Renamed note").first().waitFor({ timeout: 15_000 });
    check(feedFetches.length === fetchesBefore, `the page refetched the feed: ${feedFetches.join(", ")}`);
    check(errors.length === 0, `errors on the page: ${errors.join("; ")}`);
    const [update] = await sql<{ changes: unknown }[]>`
      SELECT changes FROM activity_events WHERE record_type = 'note' AND action = 'update'`;
    check(
      JSON.stringify(update?.changes).includes('["First note","Renamed note"]'),
      `the rename's diff: ${JSON.stringify(update?.changes)}`,
    );
  });

  await step("a failed action stores nothing", async () => {
    await callAction(base, createId, ["Second note"]);
    const countEvents = async () =>
      (await sql<{ count: number }[]>`SELECT count(*)::int AS count FROM activity_events`)[0]?.count ?? 0;
    const before = await countEvents();
    const answer = await callAction(base, renameId, [note.id, "Second note"]);
    check(answer.includes("Another note has that title"), `the refused rename answered: ${answer.slice(0, 300)}`);
    const after = await countEvents();
    const [row] = await sql<{ title: string }[]>`SELECT title FROM notes WHERE id = ${note.id}`;
    check(row?.title === "Renamed note", `the refused rename changed the note to ${row?.title}`);
    check(after === before, `the refused rename stored ${after - before} event(s)`);
  });

  await step("next start logged no error meanwhile", async () => {
    const errors = serverLog.split("\n").filter((line) => /^\s*(⨯|Error\b)|\bError:/.test(line));
    check(errors.length === 0, `the server logged:\n${errors.slice(0, 10).join("\n")}`);
  });
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`\n[install] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  if (logFile)
    console.error(
      `[install] full output: ${logFile}${process.env.KEEP_INSTALL_DIR ? "" : " (removed; KEEP_INSTALL_DIR=1 keeps it)"}`,
    );
} finally {
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      console.error("[install] cleanup:", error);
    }
  }
  console.log("\n[install] step times:");
  for (const { step, seconds, ok } of timings) {
    console.log(`  ${ok ? "ok  " : "FAIL"} ${seconds.toFixed(1).padStart(6)} s  ${step}`);
  }
  const total = timings.reduce((sum, t) => sum + t.seconds, 0);
  console.log(`  total ${total.toFixed(1)} s`);
}
process.exit(failed ? 1 : 0);
