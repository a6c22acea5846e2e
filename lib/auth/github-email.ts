/** One entry of GitHub's `GET /user/emails` (scope `user:email`, which Auth.js's GitHub provider asks for). */
export type GitHubEmail = { email: string; primary: boolean; verified: boolean };

const API = "https://api.github.com";

/**
 * The address GitHub has verified for this account, or null: the public profile email if it is among the
 * verified ones, else the verified primary. `GET /user` alone says nothing of verification, and Auth.js's
 * provider falls back to the primary address whether verified or not; linking a local account by an
 * unverified address would let anyone who adds that address to a GitHub account take the local one over.
 */
export function pickVerifiedGitHubEmail(publicEmail: unknown, emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const verified = emails.filter(
    (e): e is GitHubEmail => typeof e?.email === "string" && e.email !== "" && e.verified === true,
  );
  const wanted = typeof publicEmail === "string" ? publicEmail.toLowerCase() : null;
  const match = verified.find((e) => e.email.toLowerCase() === wanted) ?? verified.find((e) => e.primary);
  return match?.email ?? null;
}

/**
 * The GitHub profile with `email` replaced by the verified address (or null) and `email_verified` set:
 * used as the provider's userinfo request, so `githubLinkEmail` can decide from the profile alone.
 */
export async function fetchGitHubProfile(accessToken: string | undefined): Promise<Record<string, unknown>> {
  const headers = {
    Authorization: `Bearer ${accessToken}`,
    "User-Agent": "authjs",
    Accept: "application/vnd.github+json",
  };
  const profile = (await fetch(`${API}/user`, { headers }).then((res) => res.json())) as Record<string, unknown>;
  const res = await fetch(`${API}/user/emails`, { headers });
  const email = res.ok ? pickVerifiedGitHubEmail(profile.email, await res.json()) : null;
  return { ...profile, email, email_verified: email !== null };
}

/** The email to match a GitHub sign-in to a local user by, or null: then the sign-in is refused. */
export function githubLinkEmail(profile: unknown): string | null {
  if (typeof profile !== "object" || profile === null) return null;
  const { email, email_verified } = profile as { email?: unknown; email_verified?: unknown };
  return email_verified === true && typeof email === "string" && email !== "" ? email : null;
}
