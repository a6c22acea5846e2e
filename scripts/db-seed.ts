// (Re)creates the demo data: removes every workspace, user and record, then seeds the demo accounts.
import { openConfigured } from "@/lib/db/client";
import { seedDemo } from "@/lib/demo/seed";

const handle = await openConfigured();
try {
  await handle.migrate();
  await seedDemo(handle.db);
  console.log(`seeded the demo data into the ${handle.kind === "pglite" ? "embedded database" : "PostgreSQL server"}`);
} finally {
  await handle.close();
}
