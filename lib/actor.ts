import type { Actor } from "@/lib/activity";

/** The signed-in user as the activity kit's actor, acting in their current workspace. */
export function viewerActor(viewer: { user: { id: number; name: string }; workspace: { id: number } }) {
  return {
    type: "user",
    id: viewer.user.id,
    name: viewer.user.name,
    workspaceId: viewer.workspace.id,
  } as const satisfies Actor;
}
