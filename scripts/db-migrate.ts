// Applies the committed migrations in drizzle/ to DATABASE_URL (or to the embedded database).
import { openConfigured } from "@/lib/db/client";

const handle = await openConfigured();
try {
  await handle.migrate();
  console.log(`migrated the ${handle.kind === "pglite" ? "embedded database" : "PostgreSQL server"}`);
} finally {
  await handle.close();
}
