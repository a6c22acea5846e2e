import { eq, sql } from "drizzle-orm";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { requestContextFromHeaders, trustedProxyCount } from "@/lib/activity/next/request-context";
import { getDb } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { authorizeCredentials } from "./authorize-credentials";
import { authConfig } from "./config";
import { fetchGitHubProfile, githubLinkEmail } from "./github-email";
import { endSession, startSession } from "./sessions";
import { authorizeWithinLimits } from "./sign-in-limit";
import { SignInRateLimited } from "./sign-in-rate-limited";

async function findUserByEmail(email: string) {
  const db = await getDb();
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1);
  return user;
}

const credentials = Credentials({
  credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
  async authorize(raw, request) {
    const ip = requestContextFromHeaders(request.headers, trustedProxyCount(process.env.ACTIVITY_TRUSTED_PROXIES)).ip;
    const result = await authorizeWithinLimits(await getDb(), raw, ip, (checked) =>
      authorizeCredentials(checked, findUserByEmail),
    );
    if ("retryAfterSeconds" in result) throw new SignInRateLimited(result.retryAfterSeconds);
    return result.user;
  },
});

/** GitHub sign-in is offered only when both of its variables are set. */
export const githubEnabled = Boolean(process.env.AUTH_GITHUB_ID && process.env.AUTH_GITHUB_SECRET);

// The profile's `email` is GitHub's verified address or null, and says so in `email_verified`.
const github = GitHub({
  userinfo: {
    url: "https://api.github.com/user",
    request: ({ tokens }: { tokens: { access_token?: string } }) => fetchGitHubProfile(tokens.access_token),
  },
});

const config: NextAuthConfig = {
  ...authConfig,
  providers: githubEnabled ? [credentials, github] : [credentials],
  logger: {
    // A wrong password is an expected outcome, answered on the form; not a server error to log.
    // So is a sign-in refused by the rate limit (a CredentialsSignin too).
    error(error) {
      if (!(error instanceof CredentialsSignin)) console.error(error);
    },
  },
  callbacks: {
    ...authConfig.callbacks,
    // A GitHub account without an address GitHub verified is refused: it could not be matched safely.
    signIn({ account, profile }) {
      return account?.provider !== "github" || githubLinkEmail(profile) !== null;
    },
    async jwt({ token, user, account, profile }) {
      if (account?.provider === "github") {
        // GitHub accounts map to a local user by verified email, created on first sign-in (with no
        // workspace). Never fall through to `user.id`: that is GitHub's id, not ours.
        const email = githubLinkEmail(profile);
        if (!email) return token;
        const db = await getDb();
        const existing = await findUserByEmail(email);
        const local =
          existing ??
          (await db
            .insert(users)
            .values({ email, name: user?.name ?? email, image: user?.image ?? null })
            .returning()
            .then((rows) => rows[0]));
        if (local) {
          token.uid = String(local.id);
          token.sid = await startSession(db, local.id);
        }
        return token;
      }
      // `user` is given only at sign-in: each sign-in is a new device session.
      if (user?.id) {
        token.uid = user.id;
        token.sid = await startSession(await getDb(), Number(user.id));
      }
      return token;
    },
  },
  events: {
    // Ends this device's session only; the user's other devices stay signed in.
    async signOut(message) {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (typeof sid === "string") await endSession(await getDb(), sid);
    },
  },
};

export const { handlers, auth, signIn, signOut } = NextAuth(config);
