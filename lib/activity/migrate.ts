import { readFileSync } from "node:fs";
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { AnyDatabase } from "./database";

export interface MigrateOptions {
  migrationsFolder: string;
  migrationsTable?: string;
  migrationsSchema?: string;
}

/** A migration that failed: which file, which statement, and what PostgreSQL said. Nothing of it was applied. */
export class MigrationFailure extends Error {
  constructor(
    readonly file: string,
    readonly statement: string,
    readonly reason: string,
  ) {
    super(`${file} failed: ${reason}\n  in: ${statement.trim().split("\n").slice(0, 6).join("\n      ")}`);
    this.name = "MigrationFailure";
  }
}

interface MigratingDatabase {
  dialect: { migrate(migrations: unknown, session: unknown, config: MigrateOptions): Promise<void> };
  session: unknown;
}

/**
 * Applies the pending migrations of a drizzle-kit folder the way drizzle's migrator does (one transaction,
 * the same bookkeeping table), but a failure names its file and statement and PostgreSQL's message, where
 * `drizzle-kit migrate` exits 1 and prints nothing.
 */
export async function applyMigrations(db: AnyDatabase, options: MigrateOptions): Promise<void> {
  const migrations = readMigrationFiles(options);
  const journal = JSON.parse(readFileSync(path.join(options.migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  try {
    await (db as unknown as MigratingDatabase).dialect.migrate(
      migrations,
      (db as unknown as MigratingDatabase).session,
      options,
    );
  } catch (error) {
    const failed = error as { query?: unknown; cause?: unknown; message?: string };
    if (typeof failed.query !== "string") throw error;
    const query = failed.query;
    const index = migrations.findIndex((m) => m.sql.some((s) => s === query));
    const file = index >= 0 ? `${journal.entries[index]?.tag ?? `migration ${index}`}.sql` : "a migration";
    const cause = failed.cause as { message?: string } | undefined;
    throw new MigrationFailure(file, query, cause?.message ?? failed.message ?? String(error));
  }
}
