import { inArray, sql } from "drizzle-orm";
import { DEMO_ACCOUNTS } from "@/lib/db/demo-accounts";
import { users } from "@/lib/db/schema";
import type { Executor } from "@/lib/db/types";

/** The demo accounts that still exist, to show on the login page while demo data is present. */
export async function presentDemoAccounts(db: Executor) {
  const rows = await db
    .select({ email: sql<string>`lower(${users.email})` })
    .from(users)
    .where(
      inArray(
        sql`lower(${users.email})`,
        DEMO_ACCOUNTS.map((a) => a.email),
      ),
    );
  const present = new Set(rows.map((r) => r.email));
  return DEMO_ACCOUNTS.filter((a) => present.has(a.email));
}
