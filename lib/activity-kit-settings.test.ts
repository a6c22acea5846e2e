import { afterEach, describe, expect, it, vi } from "vitest";

// The kit keeps one live hub per process on globalThis; each case needs the seam read afresh.
const LIVE_HUB = Symbol.for("activity-kit.live-hub");
const global = globalThis as { [LIVE_HUB]?: unknown };

async function freshLimits() {
  delete global[LIVE_HUB];
  vi.resetModules();
  const { activity } = await import("@/lib/activity-kit");
  return activity.live().limits;
}

describe("the seam's live stream settings", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    delete global[LIVE_HUB];
  });

  it("keep the kit's per-viewer stream cap when ACTIVITY_MAX_STREAMS_PER_VIEWER is unset or not a count", async () => {
    vi.stubEnv("ACTIVITY_MAX_STREAMS_PER_VIEWER", "");
    expect((await freshLimits()).maxStreamsPerViewer).toBe(10);
    vi.stubEnv("ACTIVITY_MAX_STREAMS_PER_VIEWER", "many");
    expect((await freshLimits()).maxStreamsPerViewer).toBe(10);
  });

  it("raise the cap from ACTIVITY_MAX_STREAMS_PER_VIEWER, beside ACTIVITY_REPLAY_LIMIT", async () => {
    vi.stubEnv("ACTIVITY_MAX_STREAMS_PER_VIEWER", "5000");
    vi.stubEnv("ACTIVITY_REPLAY_LIMIT", "20");
    const limits = await freshLimits();
    expect(limits.maxStreamsPerViewer).toBe(5000);
    expect(limits.replayLimit).toBe(20);
  });
});
