import { randomBytes } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Database } from "@/lib/db";
import { userSessions } from "@/lib/db/schema";
import { SESSION_MAX_AGE_SECONDS } from "./session-max-age";

/**
 * Starts a session for one device and answers its id, to be carried in the JWT. The user's expired
 * sessions are dropped on the way, so the table holds about one row per device in use.
 */
export async function startSession(db: Database, userId: number, now = new Date()): Promise<string> {
  const id = randomBytes(24).toString("base64url");
  await db.delete(userSessions).where(and(eq(userSessions.userId, userId), lt(userSessions.expiresAt, now)));
  await db
    .insert(userSessions)
    .values({ id, userId, expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000) });
  return id;
}

/** Ends one device's session: its JWT no longer reads anything, from the next request on. */
export async function endSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(userSessions).where(eq(userSessions.id, sessionId));
}
