import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { installFixtures } from "@/lib/activity/testing/install";
import { type DbHandle, openPglite, openPostgres } from "@/lib/db/client";
import { databaseName, WORKER_DATABASES, workerDatabaseUrl } from "./worker-databases";

/** `directUrl`: the server itself, when `url` goes through a transaction pooler (TEST_DATABASE_DIRECT_URL). */
type TestDatabase = { kind: "postgres"; url: string; directUrl?: string } | { kind: "pglite"; dump: string };

declare module "vitest" {
  export interface ProvidedContext {
    /** The app's database: its migrations (drizzle/), the kit's tables among them. */
    testDatabase: TestDatabase;
    /** The kit's own: its fixture tables (lib/activity/testing) and the kit's migration, nothing of the app. */
    kitTestDatabase: TestDatabase;
  }
}

/**
 * Prepares two databases once per run: the app's (migrated from drizzle/) and the kit's (its fixture
 * tables, installed through the kit's own migration SQL). Embedded: each is a PGlite data folder dumped to
 * a file, and each test file starts from a dump. Server (`TEST_DATABASE_URL`): the given database and
 * `<name>_kit` are made from scratch and copied as templates into one database per worker each.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const dump = async (name: string, prepare: (handle: DbHandle) => Promise<void>) => {
      const handle = await openPglite({ memory: true });
      await prepare(handle);
      const blob = await handle.dumpDataDir!();
      const file = path.join(tmpdir(), `activity-kit-test-${process.pid}-${name}.tar`);
      await writeFile(file, Buffer.from(await blob.arrayBuffer()));
      await handle.close();
      return file;
    };
    project.provide("testDatabase", { kind: "pglite", dump: await dump("app", (h) => h.migrate()) });
    project.provide("kitTestDatabase", { kind: "pglite", dump: await dump("kit", (h) => installFixtures(h.db)) });
    console.log("activity-kit tests: embedded PostgreSQL (PGlite); set TEST_DATABASE_URL for a server");
    return;
  }
  const { sql } = await import("drizzle-orm");
  // Databases are made and migrated on the server itself; the tests then connect as `url` says.
  const direct = process.env.TEST_DATABASE_DIRECT_URL || undefined;
  const server = direct ?? url;
  const maintenance = new URL(server);
  maintenance.pathname = "/postgres";
  const admin = await openPostgres(maintenance.toString(), { max: 1 });
  const kitUrl = new URL(server);
  kitUrl.pathname = `/${databaseName(server)}_kit`;
  try {
    const app = await openPostgres(server, { max: 1 });
    await app.db.execute(sql`DROP SCHEMA IF EXISTS public CASCADE`);
    await app.db.execute(sql`DROP SCHEMA IF EXISTS drizzle CASCADE`);
    await app.db.execute(sql`CREATE SCHEMA public`);
    await app.migrate();
    await app.close();

    await admin.db.execute(sql.raw(`DROP DATABASE IF EXISTS "${databaseName(kitUrl.toString())}" WITH (FORCE)`));
    await admin.db.execute(sql.raw(`CREATE DATABASE "${databaseName(kitUrl.toString())}"`));
    const kit = await openPostgres(kitUrl.toString(), { max: 1 });
    await installFixtures(kit.db);
    await kit.close();

    for (const template of [server, kitUrl.toString()]) {
      for (let id = 1; id <= WORKER_DATABASES; id++) {
        const name = databaseName(workerDatabaseUrl(template, id));
        await admin.db.execute(sql.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
        await admin.db.execute(sql.raw(`CREATE DATABASE "${name}" TEMPLATE "${databaseName(template)}"`));
      }
    }
  } finally {
    await admin.close();
  }
  // Behind a pooler the tests reach the same databases through it: same names, the pooler's host and port.
  const through = (target: string) => {
    if (!direct) return target;
    const pooled = new URL(url);
    pooled.pathname = new URL(target).pathname;
    return pooled.toString();
  };
  project.provide("testDatabase", { kind: "postgres", url: through(server), directUrl: direct });
  project.provide("kitTestDatabase", {
    kind: "postgres",
    url: through(kitUrl.toString()),
    directUrl: direct && kitUrl.toString(),
  });
  console.log(
    `activity-kit tests: PostgreSQL server, databases ${databaseName(server)} and its _kit (one copy per worker each)${direct ? ", through a transaction pooler (LISTEN and migrations direct)" : ""}`,
  );
}
