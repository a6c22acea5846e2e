import type { Database } from "@/lib/db/client";
import { memberships, type Role, users, workspaces } from "@/lib/db/schema";

let counter = 0;

/** A workspace with one member per role given; returns their ids. */
export async function createWorkspace(db: Database, name: string, roles: Role[] = ["admin"]) {
  counter += 1;
  const [workspace] = await db
    .insert(workspaces)
    .values({ name, slug: `${name.toLowerCase()}-${counter}` })
    .returning();
  const members = [];
  for (const [i, role] of roles.entries()) {
    const [user] = await db
      .insert(users)
      .values({ email: `${role}${i}-${counter}@${name.toLowerCase()}.test`, name: `${name} ${role} ${i}` })
      .returning();
    await db.insert(memberships).values({ userId: user!.id, workspaceId: workspace!.id, role });
    members.push({ ...user!, role });
  }
  return { workspace: workspace!, members };
}
