import { credentialsSchema } from "./credentials";
import { verifyPassword } from "./password";

export type CredentialsUser = { id: number | string; name: string | null; email: string; passwordHash: string | null };

/**
 * The hash of a random password nobody knows, in the format and with the parameters of `hashPassword`.
 * An unknown email, or a user without a password, is checked against it, so the answer takes as long as
 * for a known user and the time does not tell which emails have accounts.
 */
const DUMMY_HASH = "scrypt$UYN7YlXEqjIOD2OyCcQZzw$MPlYTmqqzc9eo1CSY44zRCZlYFIh2OHxih7DISTm69w";

/** The Credentials provider's `authorize`: the user to sign in, or null. */
export async function authorizeCredentials(
  raw: unknown,
  findUserByEmail: (email: string) => Promise<CredentialsUser | undefined>,
  verify: (password: string, stored: string | null) => Promise<boolean> = verifyPassword,
) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const user = await findUserByEmail(parsed.data.email);
  const matches = await verify(parsed.data.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user?.passwordHash || !matches) return null;
  return { id: String(user.id), name: user.name, email: user.email };
}
