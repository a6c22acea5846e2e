import { describe, expect, it } from "vitest";
import { githubLinkEmail, pickVerifiedGitHubEmail } from "./github-email";

describe("pickVerifiedGitHubEmail", () => {
  const emails = [
    { email: "work@example.com", primary: false, verified: true },
    { email: "home@example.com", primary: true, verified: true },
    { email: "victim@example.com", primary: false, verified: false },
  ];
  it("takes the public email when GitHub verified it, else the verified primary", () => {
    expect(pickVerifiedGitHubEmail("Work@example.com", emails)).toBe("work@example.com");
    expect(pickVerifiedGitHubEmail(null, emails)).toBe("home@example.com");
  });
  it("never takes an unverified address, public or primary", () => {
    expect(pickVerifiedGitHubEmail("victim@example.com", emails)).toBe("home@example.com");
    expect(pickVerifiedGitHubEmail(null, [{ email: "victim@example.com", primary: true, verified: false }])).toBeNull();
    expect(pickVerifiedGitHubEmail("victim@example.com", [])).toBeNull();
  });
  it("answers null for an answer that is not a list of emails", () => {
    expect(pickVerifiedGitHubEmail("a@example.com", { message: "Bad credentials" })).toBeNull();
    expect(pickVerifiedGitHubEmail("a@example.com", [null, { email: 3, verified: true }])).toBeNull();
  });
});

describe("githubLinkEmail", () => {
  it("links by email only when the profile says GitHub verified it", () => {
    expect(githubLinkEmail({ id: 1, email: "ada@example.com", email_verified: true })).toBe("ada@example.com");
  });
  it("does not link an unverified, unknown or missing address", () => {
    // The profile Auth.js's own GitHub provider returns: an email, with no word on verification.
    expect(githubLinkEmail({ id: 1, email: "ada@example.com" })).toBeNull();
    expect(githubLinkEmail({ id: 1, email: "ada@example.com", email_verified: false })).toBeNull();
    expect(githubLinkEmail({ id: 1, email: "ada@example.com", email_verified: "true" })).toBeNull();
    expect(githubLinkEmail({ id: 1, email: null, email_verified: true })).toBeNull();
    expect(githubLinkEmail(undefined)).toBeNull();
  });
});
