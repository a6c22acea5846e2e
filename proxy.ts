import { type NextRequest, NextResponse } from "next/server";
import { hasSessionCookie } from "@/lib/auth/session-cookie";
import { refuseRequest } from "@/lib/request-guard";
import { newNonce, pageContentSecurityPolicy } from "@/lib/security-headers";

/**
 * First refuses what Next would mangle (lib/request-guard.ts: it needs the URL as sent, hence
 * `skipProxyUrlNormalize` in next.config.ts); then sends visitors without a session cookie to /login
 * before any page renders. Pages and actions verify the session themselves; API routes answer 401. Pages
 * get their Content-Security-Policy here, with a nonce of their own (lib/security-headers.ts).
 *
 * The proxy only reads the cookie: Auth.js's own proxy (`auth` from NextAuth) re-issues the session cookie
 * on every request it sees, so a request still in flight when the user signs out (a link prefetch, a
 * stream reconnecting) would set the cookie again and undo the sign-out.
 */
export default function proxy(request: NextRequest) {
  const refused = refuseRequest(request);
  if (refused) return refused;
  const { pathname, search } = new URL(request.url);
  if (pathname.startsWith("/api/")) return NextResponse.next();
  if (pathname === "/login" || hasSessionCookie(request.cookies.getAll().map((c) => c.name))) {
    return withPagePolicy(request);
  }
  // On the request's own origin (nextUrl may name another host for the same server).
  const login = new URL("/login", request.url);
  const wanted = new URLSearchParams(search);
  wanted.delete("_rsc"); // a client navigation's cache key, not part of the page asked for
  const query = wanted.toString();
  if (pathname !== "/") login.searchParams.set("callbackUrl", query ? `${pathname}?${query}` : pathname);
  return NextResponse.redirect(login);
}

/**
 * The page goes on with a fresh nonce in its Content-Security-Policy: on the request, where Next reads it
 * to put the nonce on the scripts it renders, and on the response, where the browser enforces it.
 */
function withPagePolicy(request: NextRequest): NextResponse {
  const policy = pageContentSecurityPolicy(newNonce(), process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  // Static assets need no session.
  matcher: [
    "/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)",
    "/api/activity/:path*",
    "/api/audit/:path*",
  ],
};
