import { ActivityError } from "./errors";
import { type WorkspaceId, workspaceKey } from "./workspace";

type Id = string | number;

/**
 * Who acted. A user acts in a workspace (the tenant: a workspace, team or organisation id, of any type);
 * so do the non-user actors, which are typed so the feed can show "System", a named job, or an API key
 * instead of a person. In a single-tenant app leave `workspaceId` out: the event is stored with workspace
 * `""`, which is what reads without a workspace read.
 */
export type Actor =
  | { type: "user"; id: Id; name: string; workspaceId?: WorkspaceId }
  | { type: "system"; workspaceId?: WorkspaceId; name?: string }
  | { type: "job"; name: string; workspaceId?: WorkspaceId }
  | { type: "api_key"; id: Id; name: string; workspaceId?: WorkspaceId };

/** The kinds of actor: `user`, `system`, `job`, `api_key`. */
export type ActorType = Actor["type"];

/** How an actor is stored: the label is kept as it was, so history reads right after a rename. */
export interface StoredActor {
  type: ActorType;
  id: string | null;
  label: string;
  /** `""` for an actor without a workspace (a single-tenant app). */
  workspaceId: string;
}

export function storedActor(actor: Actor): StoredActor {
  const workspaceId = workspaceKey(actor.workspaceId);
  switch (actor.type) {
    case "user":
      return { type: "user", id: String(actor.id), label: actor.name, workspaceId };
    case "api_key":
      return { type: "api_key", id: String(actor.id), label: actor.name, workspaceId };
    case "job":
      return { type: "job", id: null, label: actor.name, workspaceId };
    case "system":
      return { type: "system", id: null, label: actor.name ?? "System", workspaceId };
    default:
      throw new ActivityError("no_actor", `Unknown actor type ${(actor as { type: unknown }).type}.`);
  }
}

/**
 * Who an actor is, whatever workspace they act in: `user:42`. The live hub counts and ends a viewer's
 * streams by it (`live().endStreamsOf(actorKey(actor))` on sign-out).
 */
export function actorKey(actor: Actor): string {
  const stored = storedActor(actor);
  return `${stored.type}:${stored.id ?? stored.label}`;
}
