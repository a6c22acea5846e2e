/**
 * The activity kit's command line, run from the app's root with `npx tsx lib/activity/cli.ts <command>`:
 *
 *   migration [--name <name>]  writes the next migration: the kit's base (its tables and functions) when the
 *                              migrations lack it, then the capture triggers of added or changed tables only
 *   migrate                    applies the pending migrations as drizzle's migrator does, but a failure
 *                              prints its file, statement and PostgreSQL's message (drizzle-kit prints none)
 *   coverage                   checks that every tracked table's triggers are installed in the database
 *   verify [--workspace <id>] [--checkpoint <file>]
 *                              verifies the hash chain of one workspace (default: every one) and names the
 *                              first broken event; with a checkpoint file, also that the log still holds its head
 *   checkpoint [--workspace <id>]
 *                              records the chain's head and prints it as signed JSON, to keep elsewhere
 *   keygen                     prints a new Ed25519 key for signing checkpoints, and its public key
 *   grants --role <app_role> [--allow-reset]
 *                              prints the SQL that makes the app's role able to add to the activity log and
 *                              read it, never change or remove it (run it as the tables' owner)
 *   retention [--dry-run] [--batch <n>]
 *                              removes the events the seam's retention policies no longer keep, in batches
 *                              of n (1,000), each recorded in activity_removals; --dry-run counts them
 *
 * The database: DATABASE_DIRECT_URL or DATABASE_URL, else the drizzle config's `dbCredentials.url`, else the one the seam opens.
 *
 * Options: `--seam <path>` (default lib/activity-kit.ts), `--config <path>` (default drizzle.config.*).
 * The migrations folder (`out`) and the schema come from the drizzle config.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { type CheckpointKey, openCheckpointDocument, signCheckpoints, takeCheckpoint } from "./checkpoint";
import { checkCoverage } from "./coverage";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import { activityGrantsSql } from "./grants";
import { applyMigrations, MigrationFailure } from "./migrate";
import { type ExistingMigration, MigrationRefusal, migrationSql, planActivityMigration } from "./migration";
import type { AnyTrackedTable } from "./registry";
import { chainWorkspaces, type VerifyResult, verifyChain } from "./verify";
import { applyRetention, type RetentionPolicies } from "./retention";

const USAGE =
  "usage: npx tsx lib/activity/cli.ts migration|migrate|coverage|verify|checkpoint|keygen|grants|retention [--seam <path>] [--config <path>] [--name <name>] [--workspace <id>] [--checkpoint <file>] [--role <app_role>] [--allow-reset] [--dry-run] [--batch <n>]";
const CONFIG_NAMES = ["drizzle.config.ts", "drizzle.config.mts", "drizzle.config.js", "drizzle.config.mjs"];

/** A problem the user fixes: printed without a stack trace, exit code 1. */
class CliError extends Error {}

interface Options {
  command: string | undefined;
  seam: string;
  config: string | undefined;
  name: string | undefined;
  workspace: string | undefined;
  checkpoint: string | undefined;
  role: string | undefined;
  allowReset: boolean;
  dryRun: boolean;
  batch: number | undefined;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    command: undefined,
    seam: "lib/activity-kit.ts",
    config: undefined,
    name: undefined,
    workspace: undefined,
    checkpoint: undefined,
    role: undefined,
    allowReset: false,
    dryRun: false,
    batch: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (!next || next.startsWith("--")) throw new CliError(`${arg} needs a value.\n${USAGE}`);
      return next;
    };
    if (arg === "--seam") options.seam = value();
    else if (arg === "--config") options.config = value();
    else if (arg === "--name") options.name = value();
    else if (arg === "--workspace") options.workspace = value();
    else if (arg === "--checkpoint") options.checkpoint = value();
    else if (arg === "--role") options.role = value();
    else if (arg === "--allow-reset") options.allowReset = true;
    else if (arg === "--dry-run") options.dryRun = true;
    else if (arg === "--batch") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new CliError(`--batch needs a positive whole number.\n${USAGE}`);
      options.batch = n;
    } else if (arg.startsWith("--") || options.command) throw new CliError(`Unknown argument ${arg}.\n${USAGE}`);
    else options.command = arg;
  }
  return options;
}

const importFile = (file: string) => import(pathToFileURL(path.resolve(file)).href) as Promise<Record<string, unknown>>;

interface DrizzleConfig {
  file: string;
  out: string;
  schema: string[];
  url?: string;
  migrations: { migrationsTable?: string; migrationsSchema?: string };
}

/** `out` and `schema` of the drizzle config: loaded as a module, or read from its text if that fails. */
async function loadDrizzleConfig(override: string | undefined): Promise<DrizzleConfig> {
  const file = override ?? CONFIG_NAMES.find((name) => existsSync(name));
  if (!file || !existsSync(file)) {
    throw new CliError(`No drizzle config found (${override ?? CONFIG_NAMES.join(", ")}): pass --config <path>.`);
  }
  let config: {
    out?: unknown;
    schema?: unknown;
    dbCredentials?: { url?: unknown };
    migrations?: { table?: unknown; schema?: unknown };
  };
  try {
    const loaded = await importFile(file);
    config = (loaded.default ?? loaded) as typeof config;
  } catch {
    const text = readFileSync(file, "utf8");
    const field = (key: string) => new RegExp(`\\b${key}\\s*:\\s*["'\`]([^"'\`]+)["'\`]`).exec(text)?.[1];
    config = { out: field("out"), schema: field("schema") };
  }
  const schema = typeof config.schema === "string" ? [config.schema] : config.schema;
  if (!Array.isArray(schema) || schema.length === 0) throw new CliError(`${file} names no \`schema\`.`);
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    file,
    out: text(config.out) ?? "drizzle",
    schema: schema.map(String),
    url: text(config.dbCredentials?.url),
    migrations: { migrationsTable: text(config.migrations?.table), migrationsSchema: text(config.migrations?.schema) },
  };
}

/** The source files a schema entry names: a file, a folder, or a glob (read as the folder before its first `*`). */
function schemaFiles(entry: string): string[] {
  const base = entry.includes("*") ? entry.slice(0, entry.indexOf("*")).replace(/[^/]*$/, "") || "." : entry;
  if (!existsSync(base)) throw new CliError(`The drizzle schema ${entry} does not exist.`);
  if (!statSync(base).isDirectory()) return [base];
  return readdirSync(base, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|js|mts|mjs)$/.test(f) && !/\.(test|spec)\./.test(f) && !f.includes("node_modules"))
    .map((f) => path.join(base, f));
}

async function schemaTableNames(schema: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of schema.flatMap(schemaFiles)) {
    for (const value of Object.values(await importFile(file))) {
      if (is(value, PgTable)) names.add(getTableName(value));
    }
  }
  return names;
}

interface SeamKit {
  tables: readonly AnyTrackedTable[];
  actors?: { table: PgTable; id: { name: string } };
  db: () => AnyDatabase | Promise<AnyDatabase>;
  signingKey?: () => CheckpointKey;
  retention?: RetentionPolicies;
}

/** The kit the seam makes: its export `activity`, or the one export that looks like a kit. */
async function loadSeam(seam: string): Promise<SeamKit> {
  if (!existsSync(seam))
    throw new CliError(`No seam at ${seam}: pass --seam <path> to the file that calls createActivityKit.`);
  const loaded = await importFile(seam);
  const looksLikeKit = (v: unknown): v is SeamKit =>
    typeof v === "object" && v !== null && Array.isArray((v as SeamKit).tables) && "withTracking" in v;
  const kits = looksLikeKit(loaded.activity) ? [loaded.activity] : Object.values(loaded).filter(looksLikeKit);
  if (kits.length !== 1) {
    throw new CliError(
      `${seam} must export the kit made by createActivityKit (as \`activity\`); found ${kits.length}.`,
    );
  }
  return kits[0]!;
}

function readMigrations(out: string): ExistingMigration[] {
  if (!existsSync(out)) return [];
  return readdirSync(out)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(out, name), "utf8") }));
}

async function migration(options: Options): Promise<void> {
  const config = await loadDrizzleConfig(options.config);
  const kit = await loadSeam(options.seam);
  const plan = planActivityMigration({
    existing: readMigrations(config.out),
    tables: kit.tables,
    actors: kit.actors && { tableName: getTableName(kit.actors.table), idColumn: kit.actors.id.name },
    schemaTables: await schemaTableNames(config.schema),
  });
  if (!plan) {
    console.log(`activity migration: ${config.out} is up to date with ${options.seam}; nothing to write.`);
    return;
  }
  // drizzle-kit writes the (empty) file and its journal entry, so its migrator runs it in order.
  const before = new Set(readMigrations(config.out).map((m) => m.name));
  execFileSync(
    "npx",
    ["drizzle-kit", "generate", "--custom", "--config", config.file, "--name", options.name ?? plan.name],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const created = readMigrations(config.out).filter((m) => !before.has(m.name));
  if (created.length !== 1) {
    throw new CliError(`Expected drizzle-kit to create one migration in ${config.out}, found ${created.length}.`);
  }
  const file = path.join(config.out, created[0]!.name);
  writeFileSync(file, migrationSql(plan, options.seam));
  console.log(`activity migration: wrote ${file}\n${plan.summary.map((s) => `  - ${s}`).join("\n")}`);
  console.log("Apply it with your migrate command (drizzle-kit migrate), then run `coverage`.");
}

async function openDatabase(kit: SeamKit, config?: DrizzleConfig): Promise<AnyDatabase> {
  // The server itself: DDL and the checks need a session, not a transaction pooler's connection.
  const url = process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL || config?.url;
  if (!url) return kit.db();
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  return drizzle(postgres(url, { max: 1, onnotice: () => {} })) as unknown as AnyDatabase;
}

async function migrate(options: Options): Promise<void> {
  const config = await loadDrizzleConfig(options.config);
  const db = await openDatabase(await loadSeam(options.seam), config);
  await applyMigrations(db, { migrationsFolder: config.out, ...config.migrations });
  console.log(`activity migrate: ${config.out} is applied.`);
}

async function coverage(options: Options): Promise<number> {
  const kit = await loadSeam(options.seam);
  const config = await loadDrizzleConfig(options.config).catch(() => undefined);
  const problems = await checkCoverage(await openDatabase(kit, config), kit.tables);
  if (problems.length > 0) {
    console.error(`activity coverage: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return 1;
  }
  console.log(`activity coverage: ${kit.tables.map((t) => t.tableName).join(", ")} are captured`);
  return 0;
}

/** The host's .env.local and .env, as Next reads them, so the seam finds its secret and checkpoint key. */
function loadEnvFiles(): void {
  for (const file of [".env.local", ".env"]) if (existsSync(file)) process.loadEnvFile(file);
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;

function verdict(result: VerifyResult): string {
  const where = `workspace ${JSON.stringify(result.workspaceId)}`;
  if (!result.problem) {
    const range = result.checked ? ` (numbers ${result.from}–${result.head.seq})` : "";
    const cp = result.checkpoint ? `; checkpoint head ${result.checkpoint.seq}: ${result.checkpoint.status}` : "";
    return `ok      ${where}: ${result.checked} events checked${range}, head ${result.head.seq} ${short(result.head.hash)}${cp}`;
  }
  const at = result.problem.seq === null ? "" : ` at number ${result.problem.seq}`;
  return `BROKEN  ${where}: ${result.problem.kind}${at}: ${result.problem.message} (${result.checked} events verified before it)`;
}

async function verifyCommand(options: Options): Promise<number> {
  loadEnvFiles();
  const kit = await loadSeam(options.seam);
  const config = await loadDrizzleConfig(options.config).catch(() => undefined);
  const db = await openDatabase(kit, config);
  let targets: { workspaceId: string; checkpoint?: { seq: number; hash: string } }[];
  if (options.checkpoint) {
    if (!existsSync(options.checkpoint)) throw new CliError(`No checkpoint file at ${options.checkpoint}.`);
    if (!kit.signingKey) throw new CliError(`${options.seam}'s kit cannot check signatures (update the kit).`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(options.checkpoint, "utf8"));
    } catch {
      throw new CliError(`${options.checkpoint} is not JSON.`);
    }
    let doc: ReturnType<typeof openCheckpointDocument>;
    try {
      doc = openCheckpointDocument(parsed, kit.signingKey());
    } catch (error) {
      throw new CliError(`${options.checkpoint}: ${(error as Error).message}`);
    }
    console.log(
      `activity verify: checkpoint of ${doc.takenAt}, signature ${doc.signature.alg} ${doc.signature.keyId} ok`,
    );
    targets = doc.checkpoints
      .filter((c) => options.workspace === undefined || c.workspaceId === options.workspace)
      .map((c) => ({ workspaceId: c.workspaceId, checkpoint: { seq: c.seq, hash: c.hash } }));
    if (targets.length === 0) throw new CliError(`${options.checkpoint} has no checkpoint of that workspace.`);
  } else {
    const workspaces = options.workspace === undefined ? await chainWorkspaces(db) : [options.workspace];
    targets = workspaces.map((workspaceId) => ({ workspaceId }));
  }
  let broken = 0;
  for (const target of targets) {
    const result = await verifyChain(db, target.workspaceId, { checkpoint: target.checkpoint });
    if (!result.ok) broken++;
    (result.ok ? console.log : console.error)(`activity verify: ${verdict(result)}`);
  }
  if (targets.length === 0) console.log("activity verify: no workspace has a log yet.");
  return broken > 0 ? 1 : 0;
}

async function checkpointCommand(options: Options): Promise<number> {
  loadEnvFiles();
  const kit = await loadSeam(options.seam);
  if (!kit.signingKey) throw new CliError(`${options.seam}'s kit cannot sign checkpoints (update the kit).`);
  let key: CheckpointKey;
  try {
    key = kit.signingKey();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const config = await loadDrizzleConfig(options.config).catch(() => undefined);
  const db = await openDatabase(kit, config);
  const workspaces = options.workspace === undefined ? await chainWorkspaces(db) : [options.workspace];
  const taken = [];
  for (const workspaceId of workspaces) taken.push(await takeCheckpoint(db, workspaceId, "manual"));
  console.log(JSON.stringify(signCheckpoints(taken, key), null, 2));
  return 0;
}

function keygen(): number {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pem = String(privateKey.export({ type: "pkcs8", format: "pem" }));
  console.log(`# Keep the private key with the app (the seam's checkpointKey), e.g. in .env.local:
ACTIVITY_CHECKPOINT_KEY="${pem.trim().replaceAll("\n", "\\n")}"
# Give the public key to whoever verifies checkpoints offline:
${String(publicKey.export({ type: "spki", format: "pem" })).trim()}`);
  return 0;
}

function grants(options: Options): number {
  if (!options.role) throw new CliError(`grants needs --role <app_role>: the role the app connects as.\n${USAGE}`);
  process.stdout.write(activityGrantsSql(options.role, { allowReset: options.allowReset }));
  return 0;
}

async function retention(options: Options): Promise<number> {
  const kit = await loadSeam(options.seam);
  const policies = kit.retention ?? {};
  if (Object.keys(policies).length === 0) {
    console.log(`activity retention: ${options.seam} gives no retention policies; every event is kept.`);
    return 0;
  }
  const config = await loadDrizzleConfig(options.config).catch(() => undefined);
  const outcomes = await applyRetention(await openDatabase(kit, config), policies, {
    dryRun: options.dryRun,
    batchSize: options.batch,
  });
  const verb = options.dryRun ? "would remove" : "removed";
  for (const o of outcomes) {
    const months = o.months.length > 0 ? `, with the whole month partition(s) ${o.months.join(", ")}` : "";
    console.log(
      `activity retention: ${o.pattern} (kept ${o.keep}, before ${o.before}): ${verb} ${o.removed} event(s)${months}`,
    );
  }
  const total = outcomes.reduce((n, o) => n + o.removed, 0);
  console.log(
    `activity retention: ${verb} ${total} event(s) in all${options.dryRun ? " (dry run: nothing removed)" : "; each is recorded in activity_removals"}.`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  if (options.command === "migration") {
    await migration(options);
    return 0;
  }
  if (options.command === "migrate") {
    await migrate(options);
    return 0;
  }
  if (options.command === "coverage") return coverage(options);
  if (options.command === "verify") return verifyCommand(options);
  if (options.command === "checkpoint") return checkpointCommand(options);
  if (options.command === "keygen") return keygen();
  if (options.command === "grants") return grants(options);
  if (options.command === "retention") return retention(options);
  throw new CliError(options.command ? `Unknown command ${options.command}.\n${USAGE}` : USAGE);
}

// No top-level await: hosts without `"type": "module"` run this as CommonJS.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (
      error instanceof CliError ||
      error instanceof MigrationRefusal ||
      error instanceof MigrationFailure ||
      error instanceof ActivityError
    ) {
      console.error(`activity: ${error.message}`);
    } else console.error(error);
    process.exit(1);
  },
);
