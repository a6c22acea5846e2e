import { and, eq } from "drizzle-orm";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { memberships } from "@/lib/db/schema";
import { auth } from "./index";
import { authSecrets, verifiedSessionClaims } from "./session-token";
import { loadViewerState, type SessionClaims, type Viewer, type ViewerState } from "./viewer-state";

export const WORKSPACE_COOKIE = "workspace";

export type { SessionClaims, Viewer, ViewerState, WorkspaceMembership } from "./viewer-state";

/**
 * The viewer, checked against the database now (lib/auth/viewer-state.ts): a signed-out device, a deleted
 * user or a lost membership counts from the next call. Not memoized, so an open stream that asks again
 * (the kit's `viewer()`, through lib/activity-kit.ts) sees a sign-out while it runs.
 */
export async function readViewerState(): Promise<ViewerState> {
  const session = await auth();
  if (!session?.user) return { status: "signed-out" };
  return stateOf({ userId: session.user.id, sessionId: session.sessionId });
}

/** The session's viewer in the workspace the workspace cookie asks for, checked against the database. */
async function stateOf(claims: SessionClaims): Promise<ViewerState> {
  const wanted = Number((await cookies()).get(WORKSPACE_COOKIE)?.value);
  return loadViewerState(await getDb(), claims, Number.isSafeInteger(wanted) ? wanted : undefined);
}

/**
 * `readViewerState` for a live stream's re-checks: the session cookie verified without Auth.js's `auth()`,
 * which would also encrypt a refreshed cookie that the stream's long-sent response cannot carry (most of a
 * re-check's cost, README: Performance). The database checks are the same.
 */
export async function recheckViewerState(): Promise<ViewerState> {
  const claims = await verifiedSessionClaims((await cookies()).getAll(), authSecrets());
  return claims ? stateOf(claims) : { status: "signed-out" };
}

/** `readViewerState` once per request, for a page, its layout and its actions. */
export const getViewerState = cache(readViewerState);

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
