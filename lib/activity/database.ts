import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** Any drizzle PostgreSQL database or transaction, whatever the host's schema. */
// biome-ignore lint/suspicious/noExplicitAny: the kit accepts any host schema
export type AnyDatabase = PgDatabase<PgQueryResultHKT, any>;

/** The transaction `db.transaction` hands its callback. */
export type TransactionOf<Db extends AnyDatabase> = Parameters<Parameters<Db["transaction"]>[0]>[0];
