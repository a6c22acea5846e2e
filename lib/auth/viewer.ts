import { and, asc, eq } from "drizzle-orm";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { memberships, type Role, users, workspaces } from "@/lib/db/schema";
import { auth } from "./index";

export const WORKSPACE_COOKIE = "workspace";

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

/** Reads the session once per request; the workspace comes from a cookie, checked against memberships. */
export const getViewerState = cache(async (): Promise<ViewerState> => {
  const session = await auth();
  const userId = Number(session?.user?.id);
  if (!Number.isSafeInteger(userId) || userId <= 0) return { status: "signed-out" };
  const db = await getDb();
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId));
  // A token for a user that has since been deleted is as good as no session.
  if (!user) return { status: "signed-out" };
  const rows = await db
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(workspaces.name));
  if (rows.length === 0) return { status: "no-workspace", user };
  const wanted = Number((await cookies()).get(WORKSPACE_COOKIE)?.value);
  const workspace = rows.find((w) => w.id === wanted) ?? rows[0]!;
  return { status: "ok", user, workspace, memberships: rows };
});

export async function getViewer(): Promise<Viewer | null> {
  const state = await getViewerState();
  return state.status === "ok" ? state : null;
}

/** For pages: the viewer, or a redirect to sign in (or to the page that explains a missing workspace). */
export async function requireViewer(): Promise<Viewer> {
  const state = await getViewerState();
  if (state.status === "signed-out") redirect("/login");
  if (state.status === "no-workspace") redirect("/no-workspace");
  return state;
}

export function isAdmin(viewer: Viewer): boolean {
  return viewer.workspace.role === "admin";
}

/** Whether the user belongs to the workspace (used when switching). */
export async function membershipOf(userId: number, workspaceId: number) {
  const db = await getDb();
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.workspaceId, workspaceId)));
  return row ?? null;
}
