import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Database } from "@/lib/db";
import { memberships, type Role, userSessions, users, workspaces } from "@/lib/db/schema";

export interface WorkspaceMembership {
  id: number;
  name: string;
  slug: string;
  role: Role;
}

/** The signed-in user, the workspace they are looking at, and their role in it. */
export interface Viewer {
  user: { id: number; name: string; email: string };
  workspace: WorkspaceMembership;
  memberships: WorkspaceMembership[];
}

export type ViewerState =
  | { status: "signed-out" }
  | { status: "no-workspace"; user: Viewer["user"] }
  | ({ status: "ok" } & Viewer);

/** What a verified JWT says: the user, and the device session it was issued for. */
export interface SessionClaims {
  userId: unknown;
  sessionId: unknown;
}

/**
 * The viewer as the database has it now, in one round trip: the session must still exist (not signed out,
 * not expired) and belong to the user, the user must exist, and the memberships are read as they are, so a
 * sign-out, a deleted user, a removal from a workspace or a role change applies on the next request.
 * The workspace is the wanted one if the user belongs to it, else the first by name.
 */
export async function loadViewerState(
  db: Database,
  claims: SessionClaims,
  wantedWorkspaceId: number | undefined,
): Promise<ViewerState> {
  const userId = Number(claims.userId);
  const sessionId = claims.sessionId;
  if (!Number.isSafeInteger(userId) || userId <= 0) return { status: "signed-out" };
  // A token from before sessions were recorded carries no session id: it cannot be signed out, so it is
  // refused, and its holder signs in again.
  if (typeof sessionId !== "string" || sessionId === "") return { status: "signed-out" };
  const rows = await db
    .select({
      userId: users.id,
      userName: users.name,
      email: users.email,
      id: workspaces.id,
      name: workspaces.name,
      slug: workspaces.slug,
      role: memberships.role,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId), gt(userSessions.expiresAt, sql`now()`)))
    .orderBy(asc(workspaces.name), asc(workspaces.id));
  const first = rows[0];
  if (!first) return { status: "signed-out" };
  const user = { id: first.userId, name: first.userName, email: first.email };
  const joined: WorkspaceMembership[] = [];
  for (const r of rows) {
    if (r.id !== null && r.name !== null && r.slug !== null && r.role !== null) {
      joined.push({ id: r.id, name: r.name, slug: r.slug, role: r.role });
    }
  }
  if (joined.length === 0) return { status: "no-workspace", user };
  const workspace = joined.find((w) => w.id === wantedWorkspaceId) ?? joined[0]!;
  return { status: "ok", user, workspace, memberships: joined };
}
