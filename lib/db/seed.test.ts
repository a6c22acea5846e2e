import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { setupTestDb } from "@/test/db";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "./demo-accounts";
import { memberships, tasks, users, workspaces } from "./schema";
import { seedDemo, seedIfEmpty } from "./seed";

const t = setupTestDb();

describe("demo seed", () => {
  it("creates the three demo accounts with their roles and the shared password", async () => {
    await seedDemo(t.db);
    const rows = await t.db
      .select({ email: users.email, hash: users.passwordHash, workspace: workspaces.name, role: memberships.role })
      .from(users)
      .innerJoin(memberships, eq(memberships.userId, users.id))
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId));
    expect(
      rows
        .map(({ email, workspace, role }) => ({ email, workspace, role }))
        .sort((a, b) => a.email.localeCompare(b.email)),
    ).toEqual(DEMO_ACCOUNTS.map(({ email, workspace, role }) => ({ email, workspace, role })));
    for (const row of rows) expect(await verifyPassword(DEMO_PASSWORD, row.hash)).toBe(true);
  });

  it("gives every workspace tasks of its own", async () => {
    await seedDemo(t.db);
    const all = await t.db
      .select({ workspace: workspaces.name })
      .from(tasks)
      .innerJoin(workspaces, eq(workspaces.id, tasks.workspaceId));
    expect(new Set(all.map((r) => r.workspace))).toEqual(new Set(["Acme", "Globex"]));
  });

  it("seeds an empty database once, and re-seeding replaces rather than duplicates", async () => {
    expect(await seedIfEmpty(t.db)).toBe(true);
    expect(await seedIfEmpty(t.db)).toBe(false);
    await seedDemo(t.db);
    expect(await t.db.select().from(users)).toHaveLength(DEMO_ACCOUNTS.length);
  });
});
