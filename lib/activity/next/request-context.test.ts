import { describe, expect, it } from "vitest";
import { requestContextFromHeaders, trustedProxyCount } from "./request-context";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requestContextFromHeaders", () => {
  it("trusts no forwarded header by default: a client cannot choose the IP on record", () => {
    const h = new Headers({ "x-forwarded-for": "6.6.6.6", "x-real-ip": "6.6.6.6", "user-agent": "curl/8" });
    expect(requestContextFromHeaders(h, 0)).toMatchObject({ ip: undefined, userAgent: "curl/8" });
  });

  it("behind N trusted proxies takes the address the outermost one saw, not what the client sent", () => {
    // The client forged the first hop; the one proxy appended the address it saw.
    const h = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" });
    expect(requestContextFromHeaders(h, 1).ip).toBe("203.0.113.7");
    const two = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" });
    expect(requestContextFromHeaders(two, 2).ip).toBe("203.0.113.7");
    // Fewer hops than proxies: every one was written by a proxy.
    expect(requestContextFromHeaders(new Headers({ "x-forwarded-for": "203.0.113.7" }), 2).ip).toBe("203.0.113.7");
  });

  it("behind a trusted proxy falls back to X-Real-IP, bounded", () => {
    expect(requestContextFromHeaders(new Headers({ "x-real-ip": "203.0.113.9" }), 1).ip).toBe("203.0.113.9");
    expect(requestContextFromHeaders(new Headers({ "x-real-ip": "1".repeat(500) }), 1).ip).toHaveLength(100);
  });

  it("always makes the request id itself, and keeps a client-sent one apart, bounded", () => {
    const h = new Headers({ "x-request-id": "forged-id" });
    const context = requestContextFromHeaders(h, 1);
    expect(context.requestId).toMatch(uuid);
    expect(context.clientRequestId).toBe("forged-id");
    expect(
      requestContextFromHeaders(new Headers({ "x-request-id": "a".repeat(1000) }), 0).clientRequestId,
    ).toHaveLength(100);
    expect(requestContextFromHeaders(new Headers(), 0).clientRequestId).toBeUndefined();
    expect(requestContextFromHeaders(new Headers({ "x-request-id": "   " }), 0).clientRequestId).toBeUndefined();
    expect(requestContextFromHeaders(h, 0).requestId).not.toBe(requestContextFromHeaders(h, 0).requestId);
  });
});

describe("trustedProxyCount", () => {
  it("is off unless set to a count of proxies", () => {
    expect(trustedProxyCount(undefined)).toBe(0);
    expect(trustedProxyCount("")).toBe(0);
    expect(trustedProxyCount("0")).toBe(0);
    expect(trustedProxyCount("nope")).toBe(0);
    expect(trustedProxyCount("-1")).toBe(0);
    expect(trustedProxyCount("1")).toBe(1);
    expect(trustedProxyCount(" 2 ")).toBe(2);
  });
});
