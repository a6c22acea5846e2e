import { sql } from "drizzle-orm";
import { hashPassword } from "@/lib/auth/password";
import type { Database } from "./client";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "./demo-accounts";
import { comments, memberships, projects, tasks, users, workspaces } from "./schema";

const DEMO_PROJECTS: Record<string, { name: string; description: string; tasks: string[] }[]> = {
  Acme: [
    {
      name: "Website relaunch",
      description: "New marketing site before the spring campaign.",
      tasks: ["Fix login redirect", "Write pricing page copy", "Compress hero images", "Set up preview deploys"],
    },
    {
      name: "Billing",
      description: "Move invoices to the new provider.",
      tasks: ["Export old invoices", "Map tax codes", "Email customers about the change"],
    },
  ],
  Globex: [
    {
      name: "Hammock factory",
      description: "Open the second production line.",
      tasks: ["Order steel frames", "Hire shift leads", "Safety inspection"],
    },
  ],
};

/** Removes every row of the demo domain and recreates the demo workspaces, accounts and records. */
export async function seedDemo(db: Database): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`TRUNCATE ${comments}, ${tasks}, ${projects}, ${memberships}, ${workspaces}, ${users} RESTART IDENTITY CASCADE`,
    );
    const workspaceRows = await tx
      .insert(workspaces)
      .values([
        { name: "Acme", slug: "acme" },
        { name: "Globex", slug: "globex" },
      ])
      .returning();
    const workspaceId = (name: string) => {
      const found = workspaceRows.find((w) => w.name === name);
      if (!found) throw new Error(`demo workspace ${name} missing`);
      return found.id;
    };
    const userRows = await tx
      .insert(users)
      .values(DEMO_ACCOUNTS.map((a) => ({ email: a.email, name: a.name, passwordHash })))
      .returning();
    await tx.insert(memberships).values(
      DEMO_ACCOUNTS.map((a, i) => ({
        userId: userRows[i]!.id,
        workspaceId: workspaceId(a.workspace),
        role: a.role,
      })),
    );
    for (const [workspaceName, projectList] of Object.entries(DEMO_PROJECTS)) {
      const wsId = workspaceId(workspaceName);
      const people = userRows.filter((_, i) => DEMO_ACCOUNTS[i]!.workspace === workspaceName);
      for (const p of projectList) {
        const [project] = await tx
          .insert(projects)
          .values({ workspaceId: wsId, name: p.name, description: p.description })
          .returning();
        const taskRows = await tx
          .insert(tasks)
          .values(
            p.tasks.map((title, i) => ({
              workspaceId: wsId,
              projectId: project!.id,
              title,
              status: (["todo", "doing", "done"] as const)[i % 3]!,
              assigneeId: people[i % people.length]!.id,
            })),
          )
          .returning();
        await tx.insert(comments).values({
          workspaceId: wsId,
          taskId: taskRows[0]!.id,
          authorId: people[0]!.id,
          body: "Let's get this one done first.",
        });
      }
    }
  });
}

/** Seeds the demo data on a database that has no users yet (the embedded database's first start). */
export async function seedIfEmpty(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  if ((row?.n ?? 0) > 0) return false;
  await seedDemo(db);
  return true;
}
