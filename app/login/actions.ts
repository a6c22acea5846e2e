"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/lib/auth";
import { credentialsSchema } from "@/lib/auth/credentials";
import { safeRedirect } from "@/lib/auth/redirect";
import { rateLimitMessage } from "@/lib/auth/sign-in-limit";
import { SignInRateLimited } from "@/lib/auth/sign-in-rate-limited";
import { fail, type Result } from "@/lib/result";

export async function signInAction(_previous: Result | null, formData: FormData): Promise<Result> {
  const parsed = credentialsSchema.safeParse({ email: formData.get("email"), password: formData.get("password") });
  if (!parsed.success) {
    return fail("validation", "Enter your email and password.", {
      email: parsed.error.issues.some((i) => i.path[0] === "email") ? ["Enter a valid email address."] : undefined,
      password: parsed.error.issues.some((i) => i.path[0] === "password") ? ["Enter your password."] : undefined,
    });
  }
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: safeRedirect(formData.get("callbackUrl"), "/tasks") });
  } catch (error) {
    if (error instanceof SignInRateLimited) return fail("rate_limited", rateLimitMessage(error.retryAfterSeconds));
    if (error instanceof AuthError) return fail("unauthorized", "Wrong email or password.");
    throw error; // the redirect after a successful sign-in is thrown
  }
  return { ok: true, data: undefined };
}

export async function signOutAction() {
  const { signOut } = await import("@/lib/auth");
  await endLiveStreams();
  await signOut({ redirectTo: "/login" });
}

/**
 * The user's open feed streams end now, here and (by a notification) in the other instances, rather than
 * at their next re-check of the session: a stream keeps the cookie it was opened with.
 */
async function endLiveStreams() {
  try {
    const [{ getViewer }, { activity }, { viewerActor }, { actorKey }] = await Promise.all([
      import("@/lib/auth/viewer"),
      import("@/lib/activity-kit"),
      import("@/lib/actor"),
      import("@/lib/activity"),
    ]);
    const viewer = await getViewer();
    if (viewer) await activity.live().endStreamsOf(actorKey(viewerActor(viewer)));
  } catch (error) {
    // Signing out goes on: the streams still end at their next re-check.
    console.error("sign-out: ending the live streams failed", error);
  }
}
