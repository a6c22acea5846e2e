import { sql } from "drizzle-orm";
import { captureMigrationSql, STATEMENT_BREAKPOINT } from "../migration";
import type { AnyDatabase } from "../tracking";
import { fixtureSchema } from "./schema";
import { fixtureActors, fixtureTables } from "./tables";

/**
 * The fixture tables' DDL, generated from their drizzle definitions as drizzle-kit would write a host's
 * migration, then the kit's own migration SQL for their registrations (functions and capture triggers).
 */
export async function fixtureStatements(): Promise<string[]> {
  const { generateDrizzleJson, generateMigration } = await import("drizzle-kit/api");
  const tables = await generateMigration(generateDrizzleJson({}), generateDrizzleJson(fixtureSchema));
  // drizzle-kit 0.31 quotes the pseudo-type ("smallserial"), which then names no type; PostgreSQL knows it bare.
  const ddl = tables.map((statement) => statement.replaceAll('"smallserial"', "smallserial"));
  const capture = captureMigrationSql({ tables: fixtureTables, actors: fixtureActors })
    .split(STATEMENT_BREAKPOINT)
    .map((statement) => statement.replace(/^(--.*\n)+/, "").trim())
    .filter((statement) => statement !== "");
  return [...ddl, ...capture];
}

/** Creates the fixture tables with their capture in a database that has the kit's tables. */
export async function installFixtures(db: AnyDatabase): Promise<void> {
  for (const statement of await fixtureStatements()) await db.execute(sql.raw(statement));
}
