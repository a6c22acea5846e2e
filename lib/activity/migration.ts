import { KIT_TABLE_UPGRADES_SQL, kitTableStatements } from "./base-sql";
import type { AnyTrackedTable } from "./registry";
import { actorErasureStatements, kitFunctionStatements, tableTriggerStatements, triggerName } from "./sql";

/** drizzle's migrator runs a file's statements one by one, split on this line. */
export const STATEMENT_BREAKPOINT = "\n--> statement-breakpoint\n";

/**
 * The version of the kit's base migration (its tables and functions). A host's migrations record it in the
 * base's first line; a later kit with a higher version writes a migration that brings the functions up to it.
 */
export const KIT_BASE_VERSION = 4;
const BASE_MARKER = /^-- activity-kit base version (\d+)/m;

/** A migration already in the host's folder. */
export interface ExistingMigration {
  name: string;
  sql: string;
}

export interface MigrationInput {
  /** The host's migrations, oldest first. */
  existing: readonly ExistingMigration[];
  tables: readonly AnyTrackedTable[];
  actors?: { tableName: string; idColumn: string };
  /** The table names the host's drizzle schema defines. */
  schemaTables: ReadonlySet<string>;
}

export interface MigrationPlan {
  /** A name for the file: `activity_base` or `activity_capture`. */
  name: string;
  statements: string[];
  /** One line per part, for the CLI to print and the file's header. */
  summary: string[];
  /** Whether it writes the kit's functions or tables (then its header records the base version). */
  writesBase: boolean;
}

/** The migration cannot be written: the message says what to do first. */
export class MigrationRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationRefusal";
  }
}

const normalize = (text: string) => text.replace(/\s+/g, " ").replace(/ ?; ?/g, ";").trim();
const withoutIfNotExists = (text: string) => text.replace(/ IF NOT EXISTS/gi, "");
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const createsTable = (sql: string, name: string) =>
  new RegExp(`CREATE TABLE (IF NOT EXISTS )?("[^"]+"\\.)?${escapeRegExp(quoted(name))}`, "i").test(sql);

/**
 * What the next activity migration must do, read from the migrations the host already has (which record
 * every statement the kit wrote before, verbatim): the kit's base (its tables and functions) once, then
 * only the triggers of tables whose registration was added, changed or removed. Null when nothing changed.
 * Throws a MigrationRefusal when the migration could not run (a tracked table no migration creates, say).
 */
export function planActivityMigration(input: MigrationInput): MigrationPlan | null {
  const files = input.existing.map((m) => ({ name: m.name, sql: m.sql, normal: normalize(m.sql) }));
  const has = (file: { normal: string }, statements: string[]) =>
    statements.every((s) => file.normal.includes(normalize(s)));
  const lastMentioning = (needle: string) => files.findLast((f) => f.sql.includes(needle));

  for (const table of input.tables) {
    if (!input.schemaTables.has(table.tableName)) {
      throw new MigrationRefusal(
        `"${table.tableName}" is tracked in the seam but is not a table of the drizzle schema: add it to the schema, or remove its trackTable.`,
      );
    }
    if (!files.some((f) => createsTable(f.sql, table.tableName))) {
      throw new MigrationRefusal(
        `No migration creates "${table.tableName}" yet: run \`drizzle-kit generate\` first, then this command.`,
      );
    }
  }
  if (input.actors && !input.schemaTables.has(input.actors.tableName)) {
    throw new MigrationRefusal(`The actors table "${input.actors.tableName}" is not a table of the drizzle schema.`);
  }

  const statements: string[] = [];
  const summary: string[] = [];

  const versions = files.flatMap((f) => {
    const match = BASE_MARKER.exec(f.sql);
    return match ? [Number(match[1])] : [];
  });
  const recorded = Math.max(0, ...versions);
  if (recorded > KIT_BASE_VERSION) {
    throw new MigrationRefusal(
      `The migrations were written by a newer activity kit (base version ${recorded}; this one is ${KIT_BASE_VERSION}): update lib/activity first.`,
    );
  }
  let tablesUpgraded = false;
  const tablesCreated = files.some((f) => createsTable(f.sql, "activity_events"));
  if (!tablesCreated) {
    if (input.schemaTables.has("activity_events")) {
      throw new MigrationRefusal(
        "The drizzle schema exports the kit's tables, but no migration creates them: run `drizzle-kit generate` first (or remove the export, and this command creates them).",
      );
    }
    statements.push(...kitTableStatements());
    summary.push("the kit's tables");
  } else {
    const everything = files.map((f) => withoutIfNotExists(f.normal)).join("\n");
    const missing = KIT_TABLE_UPGRADES_SQL.filter((s) => !everything.includes(withoutIfNotExists(normalize(s))));
    if (missing.length > 0) {
      tablesUpgraded = true;
      statements.push(...missing);
      summary.push(
        `the kit's tables, brought up to this kit's (${missing.length} change${missing.length > 1 ? "s" : ""})`,
      );
    }
  }
  const functions = kitFunctionStatements();
  const functionsCurrent = has({ normal: files.map((f) => f.normal).join("\n") }, functions);
  if (!functionsCurrent) {
    statements.push(...functions);
    summary.push(tablesCreated ? `the kit's functions, brought up to this kit's` : "the kit's functions");
  }

  for (const table of input.tables) {
    const wanted = tableTriggerStatements(table);
    const last = (["insert", "update", "delete"] as const)
      .map((op) => lastMentioning(quoted(triggerName(table, op))))
      .reduce((a, b) => (b && (!a || files.indexOf(b) > files.indexOf(a)) ? b : a), undefined);
    if (last && has(last, wanted)) continue;
    statements.push(...wanted);
    summary.push(`${last ? "changed" : "new"}: capture of ${table.tableName} (${table.operations.join(", ")})`);
  }

  // Tables whose capture triggers an earlier migration left installed and that are no longer registered.
  const state = new Map<string, boolean>();
  const TRIGGER =
    /(CREATE TRIGGER|DROP TRIGGER IF EXISTS) "(activity_capture_(?:insert|update|delete)_[^"]*)"(?: AFTER \w+)? ON "([^"]+)"/g;
  for (const f of files) {
    for (const m of f.sql.matchAll(TRIGGER)) state.set(`${m[3]}\u0000${m[2]}`, m[1] === "CREATE TRIGGER");
  }
  const registered = new Set(input.tables.map((t) => t.tableName));
  const stale = new Set([...state].filter(([, created]) => created).map(([key]) => key.split("\u0000")[0]!));
  for (const tableName of [...stale].filter((t) => !registered.has(t)).sort()) {
    for (const op of ["insert", "update", "delete"] as const) {
      statements.push(`DROP TRIGGER IF EXISTS ${quoted(triggerName({ tableName }, op))} ON ${quoted(tableName)}`);
    }
    summary.push(`removed: capture of ${tableName}`);
  }

  if (input.actors) {
    const erasure = actorErasureStatements(input.actors.tableName, input.actors.idColumn);
    const last = lastMentioning(`activity_forget_actor_${input.actors.tableName}`);
    if (!last || !has(last, erasure)) {
      statements.push(...erasure);
      summary.push(`actors: ${input.actors.tableName}.${input.actors.idColumn} (their events keep the name)`);
    }
  }

  if (statements.length === 0) return null;
  const updatesKit = !functionsCurrent || tablesUpgraded;
  const name = !tablesCreated ? "activity_base" : updatesKit ? "activity_kit_update" : "activity_capture";
  return { name, statements, summary, writesBase: updatesKit };
}

/** The file's text: a header naming what it does, then one statement per breakpoint. */
export function migrationSql(plan: MigrationPlan, source: string): string {
  const base = plan.writesBase ? `-- activity-kit base version ${KIT_BASE_VERSION}\n` : "";
  const header = `${base}-- Written by the activity kit's CLI (\`activity migration\`) from ${source}:\n${plan.summary.map((s) => `--   ${s}\n`).join("")}`;
  return `${header}${plan.statements.join(`;${STATEMENT_BREAKPOINT}`)};\n`;
}
