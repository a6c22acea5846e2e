import { type NextRequest, NextResponse } from "next/server";
import { hasSessionCookie } from "@/lib/auth/session-cookie";
import { refuseRequest } from "@/lib/request-guard";

/**
 * First refuses what Next would mangle (lib/request-guard.ts: it needs the URL as sent, hence
 * `skipProxyUrlNormalize` in next.config.ts); then sends visitors without a session cookie to /login
 * before any page renders. Pages and actions verify the session themselves; API routes answer 401.
 *
 * The proxy only reads the cookie: Auth.js's own proxy (`auth` from NextAuth) re-issues the session cookie
 * on every request it sees, so a request still in flight when the user signs out (a link prefetch, a
 * stream reconnecting) would set the cookie again and undo the sign-out.
 */
export default function proxy(request: NextRequest) {
  const refused = refuseRequest(request);
  if (refused) return refused;
  const { pathname, search } = new URL(request.url);
  if (pathname === "/login" || pathname.startsWith("/api/")) return NextResponse.next();
  if (hasSessionCookie(request.cookies.getAll().map((c) => c.name))) return NextResponse.next();
  // On the request's own origin (nextUrl may name another host for the same server).
  const login = new URL("/login", request.url);
  const wanted = new URLSearchParams(search);
  wanted.delete("_rsc"); // a client navigation's cache key, not part of the page asked for
  const query = wanted.toString();
  if (pathname !== "/") login.searchParams.set("callbackUrl", query ? `${pathname}?${query}` : pathname);
  return NextResponse.redirect(login);
}

export const config = {
  // Static assets need no session.
  matcher: [
    "/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)",
    "/api/activity/:path*",
    "/api/audit/:path*",
  ],
};
