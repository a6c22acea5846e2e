import type { NextAuthConfig } from "next-auth";
import { SESSION_MAX_AGE_SECONDS } from "./session-max-age";

/** The part of the Auth.js configuration that needs no database (lib/auth/index.ts adds the providers). */
export const authConfig = {
  pages: { signIn: "/login" },
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  // The app is usually run behind a proxy or on localhost; the host header is trusted as Auth.js's
  // own `AUTH_TRUST_HOST=true` would.
  trustHost: true,
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.uid = user.id;
      return token;
    },
    session({ session, token }) {
      if (typeof token.uid === "string") session.user.id = token.uid;
      if (typeof token.sid === "string") session.sessionId = token.sid;
      return session;
    },
  },
} satisfies NextAuthConfig;
