import { describe, expect, it } from "vitest";
import { safeRedirect } from "./redirect";

describe("safeRedirect", () => {
  it("keeps a path on this site, with its query", () => {
    expect(safeRedirect("/tasks/3?tab=comments", "/tasks")).toBe("/tasks/3?tab=comments");
    expect(safeRedirect("/projects?x=1", "/tasks")).toBe("/projects?x=1");
  });
  it("keeps the relative path the proxy sends signed-out visitors with", () => {
    // proxy.ts: /login?callbackUrl=<pathname>?<query>, read back from the form's hidden field.
    const login = new URL("http://127.0.0.1:3210/login");
    login.searchParams.set("callbackUrl", "/projects?x=1");
    expect(safeRedirect(login.searchParams.get("callbackUrl"), "/tasks")).toBe("/projects?x=1");
  });
  it("falls back for an absolute URL, ours or anyone's", () => {
    expect(safeRedirect("http://localhost:3000/projects", "/tasks")).toBe("/tasks");
    expect(safeRedirect("https://evil.example/steal", "/tasks")).toBe("/tasks");
  });
  it("falls back for every way of naming another host", () => {
    for (const target of [
      "https://a//evil.example",
      "https://a/\\evil.example",
      "x://y//evil.example",
      "//evil.example",
      "//evil.example/steal",
      "/\\evil.example",
      "\\\\evil.example",
      "/\t/evil.example",
      "/./evil.example/..//evil.example",
      "/.//evil.example",
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      " /tasks",
      "tasks",
    ]) {
      expect(safeRedirect(target, "/tasks"), target).toBe("/tasks");
    }
  });
  it("falls back for nothing, garbage, or the login page itself", () => {
    expect(safeRedirect(null, "/tasks")).toBe("/tasks");
    expect(safeRedirect("", "/tasks")).toBe("/tasks");
    expect(safeRedirect("/login?callbackUrl=/x", "/tasks")).toBe("/tasks");
  });
});
