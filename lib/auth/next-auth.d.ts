import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    /** The device session the JWT was issued for (lib/auth/sessions.ts). */
    sessionId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** The device session's id, checked against `user_sessions` on every request. */
    sid?: string;
  }
}
