import NextAuth from "next-auth";
import { authConfig } from "@/lib/auth/config";

export const { auth: proxy } = NextAuth(authConfig);

export const config = {
  // API routes answer 401 themselves; static assets need no session.
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)"],
};
