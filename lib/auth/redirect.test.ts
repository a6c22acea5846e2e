import { describe, expect, it } from "vitest";
import { safeRedirect } from "./redirect";

describe("safeRedirect", () => {
  it("keeps a path on this site, with its query", () => {
    expect(safeRedirect("/tasks/3?tab=comments", "/tasks")).toBe("/tasks/3?tab=comments");
  });
  it("drops the host of an absolute URL, ours or anyone's", () => {
    expect(safeRedirect("http://localhost:3000/projects", "/tasks")).toBe("/projects");
    expect(safeRedirect("https://evil.example/steal", "/tasks")).toBe("/steal");
    expect(safeRedirect("//evil.example/steal", "/tasks")).toBe("/steal");
  });
  it("falls back for nothing, garbage, or the login page itself", () => {
    expect(safeRedirect(null, "/tasks")).toBe("/tasks");
    expect(safeRedirect("", "/tasks")).toBe("/tasks");
    expect(safeRedirect("/login?callbackUrl=/x", "/tasks")).toBe("/tasks");
  });
});
