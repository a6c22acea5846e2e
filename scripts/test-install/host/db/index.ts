import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

let db: ReturnType<typeof drizzle> | undefined;

/** The app's database, opened on first use (never at import time: `next build` imports this file). */
export function getDb() {
  db ??= drizzle(postgres(process.env.DATABASE_URL ?? ""));
  return db;
}
