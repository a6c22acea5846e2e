import { describe, expect, it } from "vitest";
import { hasSessionCookie } from "./session-cookie";

describe("hasSessionCookie", () => {
  it("knows Auth.js's session cookie, on HTTP, on HTTPS and split in chunks", () => {
    expect(hasSessionCookie(["authjs.session-token"])).toBe(true);
    expect(hasSessionCookie(["workspace", "__Secure-authjs.session-token"])).toBe(true);
    expect(hasSessionCookie(["authjs.session-token.0", "authjs.session-token.1"])).toBe(true);
  });
  it("is not fooled by other cookies", () => {
    expect(hasSessionCookie([])).toBe(false);
    expect(hasSessionCookie(["authjs.csrf-token", "authjs.callback-url", "workspace"])).toBe(false);
    expect(hasSessionCookie(["xauthjs.session-token", "authjs.session-token.x"])).toBe(false);
  });
});
