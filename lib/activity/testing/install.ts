import { getTableName, sql } from "drizzle-orm";
import type { AnyDatabase } from "../database";
import { planActivityMigration, STATEMENT_BREAKPOINT } from "../migration";
import { fixtureSchema } from "./schema";
import { fixtureActors, fixtureTables } from "./tables";

/** The fixture tables' DDL, generated from their drizzle definitions as drizzle-kit writes a host's migration. */
export async function fixtureTableStatements(): Promise<string[]> {
  const { generateDrizzleJson, generateMigration } = await import("drizzle-kit/api");
  const statements = await generateMigration(generateDrizzleJson({}), generateDrizzleJson(fixtureSchema));
  // drizzle-kit 0.31 quotes the pseudo-type ("smallserial"), which then names no type; PostgreSQL knows it bare.
  return statements.map((statement) => statement.replaceAll('"smallserial"', "smallserial"));
}

/**
 * Everything a fresh database needs for the kit's tests, as a host gets it: the fixture tables (the host's
 * own migration), then the migration the kit's CLI plans after it (the kit's tables and functions, the
 * capture triggers of the fixture registrations, the actors' erasure trigger).
 */
export async function fixtureDatabaseStatements(): Promise<string[]> {
  const tables = await fixtureTableStatements();
  const plan = planActivityMigration({
    existing: [{ name: "0000_fixtures", sql: tables.join(`;${STATEMENT_BREAKPOINT}`) }],
    tables: fixtureTables,
    actors: { tableName: getTableName(fixtureActors.table), idColumn: fixtureActors.id.name },
    schemaTables: new Set(Object.values(fixtureSchema).map((table) => getTableName(table))),
  });
  return [...tables, ...(plan?.statements ?? [])];
}

/** Installs the kit and its fixture tables into an empty database. */
export async function installFixtures(db: AnyDatabase): Promise<void> {
  for (const statement of await fixtureDatabaseStatements()) await db.execute(sql.raw(statement));
}
