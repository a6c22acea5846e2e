import NextAuth from "next-auth";
import { authConfig } from "@/lib/auth/config";
import { refuseRequest } from "@/lib/request-guard";

// Signed-out visitors go to /login before any page renders (see `authorized` in the config); API routes
// answer 401 themselves. Before that, requests Next would mangle are refused (lib/request-guard.ts): this
// needs the raw URL, hence `skipProxyUrlNormalize` in next.config.ts.
const { auth } = NextAuth(authConfig);
export default auth(async (request) => (await refuseRequest(request)) ?? undefined);

export const config = {
  // Static assets need no session.
  matcher: [
    "/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)",
    "/api/activity/:path*",
    "/api/audit/:path*",
  ],
};
