import { describe, expect, it, vi } from "vitest";
import { ACTIVITY_ERROR_STATUS, ActivityError } from "./errors";

describe("ActivityError", () => {
  it("is an ActivityError to every copy of the module (Next bundles the kit into several chunks)", async () => {
    vi.resetModules();
    const copy = await import("./errors");
    expect(copy.ActivityError).not.toBe(ActivityError);
    const thrown = new copy.ActivityError("too_many_streams", "At most 10 live streams");
    expect(thrown instanceof ActivityError).toBe(true);
    expect(new ActivityError("internal", "x") instanceof copy.ActivityError).toBe(true);
    expect(new Error("x") instanceof ActivityError).toBe(false);
    expect(Object.assign(new Error("x"), { code: "too_many_streams" }) instanceof ActivityError).toBe(false);
  });


  it("gives bad input a 4xx and programmer errors a 500", () => {
    expect(new ActivityError("invalid_filter", "x", "limit").status).toBe(400);
    expect(new ActivityError("invalid_cursor", "x").status).toBe(400);
    expect(new ActivityError("invalid_event", "x").status).toBe(400);
    expect(new ActivityError("not_revertible", "x").status).toBe(400);
    expect(new ActivityError("forbidden", "x").status).toBe(403);
    expect(new ActivityError("not_found", "x").status).toBe(404);
    expect(new ActivityError("conflict", "x").status).toBe(409);
    expect(new ActivityError("parent_missing", "x").status).toBe(409);
    expect(new ActivityError("nothing_to_revert", "x").status).toBe(400);
    expect(new ActivityError("too_many_streams", "x").status).toBe(429);
    expect(new ActivityError("too_many_streams", "x").isProgrammerError).toBe(false);
    for (const code of ["no_actor", "not_registered", "invalid_config", "internal"] as const) {
      const error = new ActivityError(code, "x");
      expect(error.status).toBe(500);
      expect(error.isProgrammerError).toBe(true);
    }
    expect(new ActivityError("invalid_filter", "x").isProgrammerError).toBe(false);
    expect(new ActivityError("unavailable", "x").isProgrammerError).toBe(false);
  });

  it("has one status for every code, each a real HTTP error status", () => {
    for (const status of Object.values(ACTIVITY_ERROR_STATUS)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });
});
