import type { NextAuthConfig } from "next-auth";

/**
 * The part of the Auth.js configuration that needs no database: the proxy (`proxy.ts`) uses it to send
 * signed-out visitors to /login before any page renders.
 */
export const authConfig = {
  pages: { signIn: "/login" },
  session: { strategy: "jwt" },
  // The app is usually run behind a proxy or on localhost; the host header is trusted as Auth.js's
  // own `AUTH_TRUST_HOST=true` would.
  trustHost: true,
  providers: [],
  callbacks: {
    authorized({ auth, request }) {
      const { pathname } = request.nextUrl;
      // The API routes answer 401 themselves.
      if (pathname === "/login" || pathname.startsWith("/api/")) return true;
      return Boolean(auth?.user);
    },
    jwt({ token, user }) {
      if (user?.id) token.uid = user.id;
      return token;
    },
    session({ session, token }) {
      if (typeof token.uid === "string") session.user.id = token.uid;
      return session;
    },
  },
} satisfies NextAuthConfig;
