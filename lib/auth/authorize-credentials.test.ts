import { describe, expect, it } from "vitest";
import { authorizeCredentials, type CredentialsUser } from "./authorize-credentials";
import { hashPassword, verifyPassword } from "./password";

/** The real verifier, counting its calls and the hashes it was given. */
function countingVerifier() {
  const hashes: (string | null)[] = [];
  const verify = async (password: string, stored: string | null) => {
    hashes.push(stored);
    return verifyPassword(password, stored);
  };
  return { verify, hashes };
}

describe("authorizeCredentials", () => {
  it("signs in a known email with the right password, and not with a wrong one", async () => {
    const ada: CredentialsUser = {
      id: 7,
      name: "Ada",
      email: "ada@example.com",
      passwordHash: await hashPassword("right"),
    };
    const find = async (email: string) => (email === ada.email ? ada : undefined);
    expect(await authorizeCredentials({ email: "ADA@example.com", password: "right" }, find)).toEqual({
      id: "7",
      name: "Ada",
      email: "ada@example.com",
    });
    expect(await authorizeCredentials({ email: "ada@example.com", password: "wrong" }, find)).toBeNull();
  });

  it("runs the password hash for an unknown email too, so both cost the same", async () => {
    const { verify, hashes } = countingVerifier();
    const result = await authorizeCredentials(
      { email: "nobody@example.com", password: "guess" },
      async () => undefined,
      verify,
    );
    expect(result).toBeNull();
    expect(hashes).toHaveLength(1);
    expect(hashes[0]).toMatch(/^scrypt\$[\w-]+\$[\w-]+$/);
  });

  it("runs the hash for a user without a password (GitHub only), and still refuses", async () => {
    const { verify, hashes } = countingVerifier();
    const octo: CredentialsUser = { id: 8, name: "Octo", email: "octo@example.com", passwordHash: null };
    expect(await authorizeCredentials({ email: octo.email, password: "guess" }, async () => octo, verify)).toBeNull();
    expect(hashes).toHaveLength(1);
    expect(hashes[0]).toMatch(/^scrypt\$[\w-]+\$[\w-]+$/);
  });

  it("refuses a user without a password even if the verifier says yes", async () => {
    const octo: CredentialsUser = { id: 8, name: "Octo", email: "octo@example.com", passwordHash: null };
    expect(
      await authorizeCredentials(
        { email: octo.email, password: "x" },
        async () => octo,
        async () => true,
      ),
    ).toBeNull();
  });

  it("refuses malformed input without looking anyone up", async () => {
    let lookups = 0;
    const find = async () => {
      lookups += 1;
      return undefined;
    };
    expect(await authorizeCredentials({ email: "not-an-email", password: "x" }, find)).toBeNull();
    expect(lookups).toBe(0);
  });
});
