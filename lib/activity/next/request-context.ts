import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import type { Actor } from "../actor";
import { type ActivityContext, runWithActivityContext } from "../context";

/**
 * How many proxies of the host's own stand in front of the app (`ACTIVITY_TRUSTED_PROXIES`): 0, the
 * default, trusts no forwarded header, since without a proxy any client can send them.
 */
export function trustedProxyCount(setting: string | undefined): number {
  const n = Number(setting?.trim() || "0");
  return Number.isInteger(n) && n > 0 ? n : 0;
}

function bounded(value: string | null | undefined, length: number): string | undefined {
  return value?.trim().slice(0, length) || undefined;
}

/**
 * The request as the events it causes record it. The request id is always made here; a client-sent
 * `x-request-id` is kept apart as `clientRequestId` (stored in the event's metadata), since the client
 * chooses it. The IP comes from forwarded headers only behind `trustedProxies` proxies: each appends the
 * address it saw to `x-forwarded-for`, so the client's is the one `trustedProxies` hops from the right
 * (what the client wrote itself stands further left); without `x-forwarded-for`, the proxy's `x-real-ip`.
 */
export function requestContextFromHeaders(h: Headers, trustedProxies: number): Omit<ActivityContext, "actor"> {
  let ip: string | undefined;
  if (trustedProxies > 0) {
    const hops = (h.get("x-forwarded-for") ?? "")
      .split(",")
      .map((hop) => hop.trim())
      .filter(Boolean);
    ip = bounded(hops.length > 0 ? hops[Math.max(0, hops.length - trustedProxies)] : h.get("x-real-ip"), 100);
  }
  return {
    requestId: randomUUID(),
    clientRequestId: bounded(h.get("x-request-id"), 100),
    ip,
    userAgent: bounded(h.get("user-agent"), 500),
  };
}

/** The current request's context (see `requestContextFromHeaders`), for a server action or route handler. */
export async function activityRequestContext(): Promise<Omit<ActivityContext, "actor">> {
  return requestContextFromHeaders(await headers(), trustedProxyCount(process.env.ACTIVITY_TRUSTED_PROXIES));
}

/**
 * Runs `fn` (a server action's body) with the actor and the current request as the activity context, so
 * every `withTracking` inside records who and from where without being told.
 */
export async function withActivityRequest<T>(actor: Actor | undefined, fn: () => Promise<T>): Promise<T> {
  const context = { ...(await activityRequestContext()), ...(actor ? { actor } : {}) };
  return runWithActivityContext(context, fn);
}
