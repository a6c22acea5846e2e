import { ActivityError } from "./errors";

type Id = string | number;

/**
 * Who acted. A user acts in a workspace; so do the non-user actors, which are typed so the feed can show
 * "System", a named job, or an API key instead of a person.
 */
export type Actor =
  | { type: "user"; id: Id; name: string; workspaceId: Id }
  | { type: "system"; workspaceId: Id; name?: string }
  | { type: "job"; name: string; workspaceId: Id }
  | { type: "api_key"; id: Id; name: string; workspaceId: Id };

export type ActorType = Actor["type"];

/** How an actor is stored: the label is kept as it was, so history reads right after a rename. */
export interface StoredActor {
  type: ActorType;
  id: string | null;
  label: string;
  workspaceId: string;
}

export function storedActor(actor: Actor): StoredActor {
  const workspaceId = String(actor.workspaceId);
  if (workspaceId === "") throw new ActivityError("no_actor", "An actor needs the workspace it acts in.");
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
