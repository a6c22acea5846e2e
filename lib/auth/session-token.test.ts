import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { authSecrets, verifiedSessionClaims } from "./session-token";

const NAME = "authjs.session-token";
const SECURE = "__Secure-authjs.session-token";
const token = (claims: Record<string, unknown>, secret = "secret-a", salt = NAME, maxAge?: number) =>
  encode({ token: claims, secret, salt, maxAge });

describe("verifiedSessionClaims", () => {
  it("reads the claims of a session cookie Auth.js encrypted, on HTTP and on HTTPS", async () => {
    const plain = await token({ uid: "5", sid: "s-1" });
    expect(await verifiedSessionClaims([{ name: NAME, value: plain }], ["secret-a"])).toEqual({
      userId: "5",
      sessionId: "s-1",
    });
    const secure = await token({ uid: "6", sid: "s-2" }, "secret-a", SECURE);
    expect(
      await verifiedSessionClaims(
        [
          { name: "workspace", value: "7" },
          { name: SECURE, value: secure },
        ],
        ["secret-a"],
      ),
    ).toEqual({ userId: "6", sessionId: "s-2" });
  });

  it("joins a cookie split in chunks, in their order", async () => {
    const whole = await token({ uid: "5", sid: "s-1" });
    const cut = Math.floor(whole.length / 2);
    const cookies = [
      { name: `${NAME}.1`, value: whole.slice(cut) },
      { name: `${NAME}.0`, value: whole.slice(0, cut) },
    ];
    expect(await verifiedSessionClaims(cookies, ["secret-a"])).toEqual({ userId: "5", sessionId: "s-1" });
  });

  it("takes a rotated secret, as Auth.js does", async () => {
    const old = await token({ uid: "5", sid: "s-1" }, "secret-old");
    expect(await verifiedSessionClaims([{ name: NAME, value: old }], ["secret-new", "secret-old"])).toEqual({
      userId: "5",
      sessionId: "s-1",
    });
  });

  it("refuses a cookie that is forged, tampered with, expired, under another name or without a user", async () => {
    const good = await token({ uid: "5", sid: "s-1" });
    const refused = async (cookies: { name: string; value: string }[], secrets = ["secret-a"]) =>
      expect(await verifiedSessionClaims(cookies, secrets)).toBeNull();
    await refused([{ name: NAME, value: await token({ uid: "5" }, "secret-b") }]);
    await refused([{ name: NAME, value: `${good.slice(0, -6)}${good.slice(-6).split("").reverse().join("")}` }]);
    await refused([{ name: NAME, value: await token({ uid: "5" }, "secret-a", NAME, -3600) }]);
    // Encrypted for the HTTP cookie (its name is the key's salt), sent as the HTTPS one.
    await refused([{ name: SECURE, value: good }]);
    await refused([{ name: NAME, value: await token({ sid: "s-1" }) }]);
    await refused([{ name: NAME, value: "not a token" }]);
    await refused([]);
    await refused([{ name: NAME, value: good }], []);
  });
});

describe("authSecrets", () => {
  it("lists the rotated secrets first, then AUTH_SECRET", () => {
    expect(authSecrets({ AUTH_SECRET: "a", AUTH_SECRET_1: "one", AUTH_SECRET_2: "two" })).toEqual(["two", "one", "a"]);
    expect(authSecrets({ NEXTAUTH_SECRET: "n" })).toEqual(["n"]);
    expect(authSecrets({})).toEqual([]);
  });
});
