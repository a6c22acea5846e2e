import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import type { ActivityContext } from "@/lib/activity";

/** Request id, client IP and user agent of the current request, for the events it causes. */
export async function requestActivityContext(): Promise<Omit<ActivityContext, "actor">> {
  const h = await headers();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return {
    requestId: h.get("x-request-id")?.slice(0, 100) || randomUUID(),
    ip: (forwarded || h.get("x-real-ip") || undefined)?.slice(0, 100),
    userAgent: h.get("user-agent")?.slice(0, 500) ?? undefined,
  };
}
