import { decode } from "next-auth/jwt";
import type { SessionClaims } from "./viewer-state";

/** Auth.js's session cookie: `__Secure-` on HTTPS (a browser keeps such a cookie only from HTTPS). */
const SESSION_COOKIE = "authjs.session-token";
const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;

/** The secrets Auth.js decrypts the session with, in its order: AUTH_SECRET_1..3 (rotation), then AUTH_SECRET. */
export function authSecrets(env: Record<string, string | undefined> = process.env): string[] {
  const secrets: string[] = [];
  const main = env.AUTH_SECRET ?? env.NEXTAUTH_SECRET;
  if (main) secrets.push(main);
  for (const i of [1, 2, 3]) {
    const rotated = env[`AUTH_SECRET_${i}`];
    if (rotated) secrets.unshift(rotated);
  }
  return secrets;
}

/** A cookie's value, or its chunks (`name.0`, `name.1`, …, as Auth.js splits a large one) joined. */
function cookieValue(cookies: readonly { name: string; value: string }[], name: string): string | undefined {
  const whole = cookies.find((c) => c.name === name);
  if (whole) return whole.value;
  const chunks = cookies
    .map((c) => ({ c, index: c.name.startsWith(`${name}.`) ? Number(c.name.slice(name.length + 1)) : Number.NaN }))
    .filter(({ index }) => Number.isSafeInteger(index) && index >= 0)
    .sort((a, b) => a.index - b.index);
  return chunks.length > 0 ? chunks.map(({ c }) => c.value).join("") : undefined;
}

/**
 * The session's claims from the request's session cookie, verified (decrypted with the app's secret, not
 * expired) and nothing more: unlike Auth.js's `auth()`, no refreshed cookie is encrypted for a response
 * that could carry it. For a live stream's re-checks of its viewer (lib/activity-kit.ts `recheckViewer`),
 * which then check the claims against the database as every read of the viewer does. Null when there is
 * no valid session cookie.
 */
export async function verifiedSessionClaims(
  cookies: readonly { name: string; value: string }[],
  secrets: readonly string[],
): Promise<SessionClaims | null> {
  if (secrets.length === 0) return null;
  const secure = cookieValue(cookies, SECURE_SESSION_COOKIE);
  const name = secure === undefined ? SESSION_COOKIE : SECURE_SESSION_COOKIE;
  const token = secure ?? cookieValue(cookies, SESSION_COOKIE);
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: [...secrets], salt: name });
    if (!payload || typeof payload.uid !== "string") return null;
    return { userId: payload.uid, sessionId: typeof payload.sid === "string" ? payload.sid : undefined };
  } catch {
    return null;
  }
}
