import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import type { Actor } from "../actor";
import { type ActivityContext, runWithActivityContext } from "../context";

/**
 * The current request as the events it causes record it: a request id (the proxy's `x-request-id`, or one
 * made here), the client's IP (first `x-forwarded-for` hop, or `x-real-ip`) and its user agent.
 */
export async function activityRequestContext(): Promise<Omit<ActivityContext, "actor">> {
  const h = await headers();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return {
    requestId: h.get("x-request-id")?.slice(0, 100) || randomUUID(),
    ip: (forwarded || h.get("x-real-ip") || undefined)?.slice(0, 100),
    userAgent: h.get("user-agent")?.slice(0, 500) ?? undefined,
  };
}

/**
 * Runs `fn` (a server action's body) with the actor and the current request as the activity context, so
 * every `withTracking` inside records who and from where without being told.
 */
export async function withActivityRequest<T>(actor: Actor | undefined, fn: () => Promise<T>): Promise<T> {
  const context = { ...(await activityRequestContext()), ...(actor ? { actor } : {}) };
  return runWithActivityContext(context, fn);
}
