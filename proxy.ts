import type { NextFetchEvent, NextRequest } from "next/server";
import NextAuth from "next-auth";
import { authConfig } from "@/lib/auth/config";
import { refuseRequest } from "@/lib/request-guard";

const { auth } = NextAuth(authConfig);
// Called with a request, `auth` is Auth.js's proxy: it runs `authorized` and redirects when it says no.
// (Wrapping a handler instead, `auth(handler)`, would skip that redirect.)
const authorize = auth as unknown as (request: NextRequest, event: NextFetchEvent) => Promise<Response>;

/**
 * First refuses what Next would mangle (lib/request-guard.ts: it needs the URL as sent, hence
 * `skipProxyUrlNormalize` in next.config.ts); then sends signed-out visitors to /login before any page
 * renders (see `authorized` in the config). API routes answer 401 themselves.
 */
export default async function proxy(request: NextRequest, event: NextFetchEvent) {
  const refused = refuseRequest(request);
  if (refused) return refused;
  // A server action reads the session itself (formAction). Passed through Auth.js here, its response would
  // also carry the session cookie Auth.js re-issues, and that would undo the sign-out action's deletion.
  if (request.method === "POST" && request.headers.has("next-action")) return;
  return authorize(request, event);
}

export const config = {
  // Static assets need no session.
  matcher: [
    "/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)",
    "/api/activity/:path*",
    "/api/audit/:path*",
  ],
};
