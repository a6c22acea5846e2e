import NextAuth from "next-auth";
import { authConfig } from "@/lib/auth/config";

// Signed-out visitors go to /login before any page renders (see `authorized` in the config).
const { auth } = NextAuth(authConfig);
export default auth;

export const config = {
  // API routes answer 401 themselves; static assets need no session.
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)"],
};
