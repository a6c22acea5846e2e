import { describe, expect, it } from "vitest";
import { signInAttempts } from "@/lib/db/schema";
import { setupTestDb } from "@/test/db";
import {
  authorizeWithinLimits,
  rateLimitMessage,
  SIGN_IN_LIMITS,
  signInLimitKeys,
  takeSignInAttempt,
} from "./sign-in-limit";

const t = setupTestDb();
const WINDOW_MS = SIGN_IN_LIMITS.windowSeconds * 1000;
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

async function attempts(keys: ReturnType<typeof signInLimitKeys>, n: number, now: Date) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await takeSignInAttempt(t.db, keys, now));
  return results;
}

describe("takeSignInAttempt", () => {
  it("allows an account its attempts in a window, then refuses until the window ends", async () => {
    const ada = signInLimitKeys("ada@example.com", undefined);
    const results = await attempts(ada, SIGN_IN_LIMITS.account, at(0));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(await takeSignInAttempt(t.db, ada, at(60_000))).toEqual({
      allowed: false,
      retryAfterSeconds: SIGN_IN_LIMITS.windowSeconds - 60,
    });
    // Another account is not held back by Ada's.
    expect(await takeSignInAttempt(t.db, signInLimitKeys("bob@example.com", undefined), at(60_000))).toEqual({
      allowed: true,
    });
    expect(await takeSignInAttempt(t.db, ada, at(WINDOW_MS))).toEqual({ allowed: true });
  });

  it("counts an email however it is written", async () => {
    await attempts(signInLimitKeys("ada@example.com", undefined), SIGN_IN_LIMITS.account, at(0));
    expect((await takeSignInAttempt(t.db, signInLimitKeys(" ADA@example.com", undefined), at(1))).allowed).toBe(false);
  });

  it("limits one trusted address across accounts, and the whole site when addresses cannot be trusted", async () => {
    const limits = { ...SIGN_IN_LIMITS, address: 3, site: 4 };
    const fromOne = (i: number) => signInLimitKeys(`user${i}@example.com`, "203.0.113.7", limits);
    for (let i = 0; i < 3; i++) expect((await takeSignInAttempt(t.db, fromOne(i), at(0))).allowed).toBe(true);
    expect((await takeSignInAttempt(t.db, fromOne(3), at(0))).allowed).toBe(false);
    expect(
      (await takeSignInAttempt(t.db, signInLimitKeys("x@example.com", "198.51.100.1", limits), at(0))).allowed,
    ).toBe(true);

    const anywhere = (i: number) => signInLimitKeys(`other${i}@example.com`, undefined, limits);
    for (let i = 0; i < 4; i++) expect((await takeSignInAttempt(t.db, anywhere(i), at(0))).allowed).toBe(true);
    expect((await takeSignInAttempt(t.db, anywhere(4), at(0))).allowed).toBe(false);
  });

  it("lets no more than the limit through when attempts arrive at once", async () => {
    const ada = signInLimitKeys("ada@example.com", undefined);
    const results = await Promise.all(Array.from({ length: 20 }, () => takeSignInAttempt(t.db, ada, at(0))));
    expect(results.filter((r) => r.allowed)).toHaveLength(SIGN_IN_LIMITS.account);
  });
});

describe("authorizeWithinLimits", () => {
  const creds = (password: string) => ({ email: "ada@example.com", password });
  const authorize = async (raw: unknown) =>
    (raw as { password?: string } | null)?.password === "right" ? { id: "1" } : null;

  it("refuses after too many failures, with the seconds to wait, without checking the password", async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.account; i++) {
      expect(await authorizeWithinLimits(t.db, creds("wrong"), undefined, authorize)).toEqual({ user: null });
    }
    let checked = 0;
    const counting = async (raw: unknown) => {
      checked += 1;
      return authorize(raw);
    };
    const refused = await authorizeWithinLimits(t.db, creds("right"), undefined, counting);
    expect(refused).toEqual({ retryAfterSeconds: expect.any(Number) });
    expect("retryAfterSeconds" in refused && refused.retryAfterSeconds).toBeGreaterThan(
      SIGN_IN_LIMITS.windowSeconds - 60,
    );
    expect(checked).toBe(0);
  });

  it("forgets an account's failures once it signs in", async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.account - 1; i++) {
      await authorizeWithinLimits(t.db, creds("wrong"), undefined, authorize);
    }
    expect(await authorizeWithinLimits(t.db, creds("right"), undefined, authorize)).toEqual({ user: { id: "1" } });
    for (let i = 0; i < SIGN_IN_LIMITS.account; i++) {
      expect(await authorizeWithinLimits(t.db, creds("wrong"), undefined, authorize)).toEqual({ user: null });
    }
    const rows = await t.db.select().from(signInAttempts);
    // The site bucket got the successful attempt back: it holds the failures only.
    expect(rows.find((r) => r.key === "site")?.attempts).toBe(2 * SIGN_IN_LIMITS.account - 1);
  });

  it("does not count malformed input, which never reaches a password check", async () => {
    await authorizeWithinLimits(t.db, { email: "not-an-email", password: "x" }, undefined, authorize);
    await authorizeWithinLimits(t.db, null, undefined, authorize);
    expect(await t.db.select().from(signInAttempts)).toEqual([]);
  });
});

describe("rateLimitMessage", () => {
  it("says how many minutes to wait, rounded up", () => {
    expect(rateLimitMessage(900)).toBe("Too many sign-in attempts. Try again in 15 minutes.");
    expect(rateLimitMessage(61)).toBe("Too many sign-in attempts. Try again in 2 minutes.");
    expect(rateLimitMessage(5)).toBe("Too many sign-in attempts. Try again in 1 minute.");
  });
});
