import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { installFixtures } from "@/lib/activity/testing/install";
import { openPglite, openPostgres } from "@/lib/db/client";
import { databaseName, WORKER_DATABASES, workerDatabaseUrl } from "./worker-databases";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: { kind: "postgres"; url: string } | { kind: "pglite"; dump: string };
  }
}

/**
 * Migrates once per run, and adds the kit's own fixture tables (lib/activity/testing) beside the app's.
 * Embedded: a migrated PGlite data folder is dumped, and each test file starts
 * from the dump. Server (`TEST_DATABASE_URL`): the given database is migrated from scratch and copied as a
 * template into one database per worker.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const handle = await openPglite({ memory: true });
    await handle.migrate();
    await installFixtures(handle.db);
    const blob = await handle.dumpDataDir!();
    const dump = path.join(tmpdir(), `activity-kit-test-${process.pid}.tar`);
    await writeFile(dump, Buffer.from(await blob.arrayBuffer()));
    await handle.close();
    project.provide("testDatabase", { kind: "pglite", dump });
    console.log("activity-kit tests: embedded PostgreSQL (PGlite); set TEST_DATABASE_URL for a server");
    return;
  }
  const template = await openPostgres(url, { max: 1 });
  const { sql } = await import("drizzle-orm");
  await template.db.execute(sql`DROP SCHEMA IF EXISTS public CASCADE`);
  await template.db.execute(sql`DROP SCHEMA IF EXISTS drizzle CASCADE`);
  await template.db.execute(sql`CREATE SCHEMA public`);
  await template.migrate();
  await installFixtures(template.db);
  await template.close();
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const admin = await openPostgres(maintenance.toString(), { max: 1 });
  for (let id = 1; id <= WORKER_DATABASES; id++) {
    const name = databaseName(workerDatabaseUrl(url, id));
    await admin.db.execute(sql.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    await admin.db.execute(sql.raw(`CREATE DATABASE "${name}" TEMPLATE "${databaseName(url)}"`));
  }
  await admin.close();
  project.provide("testDatabase", { kind: "postgres", url });
  console.log(`activity-kit tests: PostgreSQL server, database ${databaseName(url)} (one copy per worker)`);
}
