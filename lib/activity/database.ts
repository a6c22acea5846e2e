import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** A drizzle PostgreSQL database of any driver and any host schema (the kit uses the core builder only). */
export type AnyDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/** The transaction `db.transaction` hands its callback. */
export type TransactionOf<Db extends AnyDatabase> = Parameters<Parameters<Db["transaction"]>[0]>[0];
