import { inArray, sql } from "drizzle-orm";
import type { Database } from "@/lib/db";
import { signInAttempts } from "@/lib/db/schema";
import { credentialsSchema } from "./credentials";

/**
 * Attempts allowed per fixed window. Per account: what stops guessing one user's password. Per client
 * address: what stops one client trying many accounts, when the address can be trusted (a proxy of ours
 * in front, ACTIVITY_TRUSTED_PROXIES). Without one, every client could claim any address, so the site as a
 * whole gets one bucket instead: it caps password spraying across accounts, at the price that a flood of
 * failures locks everyone out of signing in with a password until the window ends.
 */
export const SIGN_IN_LIMITS: SignInLimits = { account: 5, address: 20, site: 200, windowSeconds: 15 * 60 };

export interface SignInLimits {
  account: number;
  address: number;
  site: number;
  windowSeconds: number;
}

export interface SignInLimitKey {
  key: string;
  limit: number;
}

/** The buckets one attempt counts against. */
export function signInLimitKeys(email: string, ip: string | undefined, limits = SIGN_IN_LIMITS): SignInLimitKey[] {
  return [
    // Known and unknown emails alike, so the limit says nothing about which emails have accounts.
    { key: `account:${email.trim().toLowerCase().slice(0, 320)}`, limit: limits.account },
    ip ? { key: `address:${ip}`, limit: limits.address } : { key: "site", limit: limits.site },
  ];
}

export type SignInAttempt = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts an attempt in every bucket before the password is checked, in one statement, so concurrent
 * attempts (from any instance) cannot all slip under the limit; a successful sign-in takes its attempt
 * back (`forgiveSignInAttempt`), so only failures add up.
 */
export async function takeSignInAttempt(
  db: Database,
  keys: readonly SignInLimitKey[],
  now = new Date(),
  windowSeconds: number = SIGN_IN_LIMITS.windowSeconds,
): Promise<SignInAttempt> {
  const windowEnd = sql`${signInAttempts.windowStart} + make_interval(secs => ${windowSeconds})`;
  const nowParam = sql`${now.toISOString()}::timestamptz`;
  const expired = sql`${windowEnd} <= ${nowParam}`;
  const rows = await db
    .insert(signInAttempts)
    .values(keys.map(({ key }) => ({ key, attempts: 1, windowStart: now })))
    .onConflictDoUpdate({
      target: signInAttempts.key,
      set: {
        attempts: sql`case when ${expired} then 1 else ${signInAttempts.attempts} + 1 end`,
        windowStart: sql`case when ${expired} then ${nowParam} else ${signInAttempts.windowStart} end`,
      },
    })
    .returning({ key: signInAttempts.key, attempts: signInAttempts.attempts, windowStart: signInAttempts.windowStart });
  let retryAfterMs = 0;
  for (const row of rows) {
    const limit = keys.find((k) => k.key === row.key)?.limit ?? 0;
    if (row.attempts > limit) {
      retryAfterMs = Math.max(retryAfterMs, row.windowStart.getTime() + windowSeconds * 1000 - now.getTime());
    }
  }
  return retryAfterMs > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : { allowed: true };
}

/** After a successful sign-in: the account starts afresh, and the other buckets get the attempt back. */
export async function forgiveSignInAttempt(db: Database, keys: readonly SignInLimitKey[]): Promise<void> {
  const [account, ...others] = keys.map((k) => k.key);
  if (account) await db.delete(signInAttempts).where(inArray(signInAttempts.key, [account]));
  if (others.length > 0) {
    await db
      .update(signInAttempts)
      .set({ attempts: sql`greatest(${signInAttempts.attempts} - 1, 0)` })
      .where(inArray(signInAttempts.key, others));
  }
}

/** The login form's message for a limited attempt. */
export function rateLimitMessage(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many sign-in attempts. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;
}

export type LimitedAuthorization<U> = { user: U | null } | { retryAfterSeconds: number };

/**
 * The Credentials provider's `authorize` behind the limits: a well-formed attempt is counted first (over a
 * limit it is refused before any password is checked, with the seconds to wait), and forgiven when it
 * signs in.
 */
export async function authorizeWithinLimits<U>(
  db: Database,
  raw: unknown,
  ip: string | undefined,
  authorize: (raw: unknown) => Promise<U | null>,
  limits = SIGN_IN_LIMITS,
): Promise<LimitedAuthorization<U>> {
  const parsed = credentialsSchema.safeParse(raw);
  // Malformed input is refused by `authorize` without a password check, so it costs no attempt.
  if (!parsed.success) return { user: await authorize(raw) };
  const keys = signInLimitKeys(parsed.data.email, ip, limits);
  const attempt = await takeSignInAttempt(db, keys, new Date(), limits.windowSeconds);
  if (!attempt.allowed) return { retryAfterSeconds: attempt.retryAfterSeconds };
  const user = await authorize(raw);
  if (user) await forgiveSignInAttempt(db, keys);
  return { user };
}
