import { describe, expect, it } from "vitest";
import { joinFrames, sseComment, sseFrame } from "./sse";

describe("joinFrames", () => {
  const a = sseFrame("activity", '{"id":"1"}', 1);
  const b = sseFrame("activity", '{"id":"2"}', 2);
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

  it("joins frames in order, and hands one frame back as it is", () => {
    expect(text(joinFrames([a, b]))).toBe(`${text(a)}${text(b)}`);
    expect(joinFrames([a])).toBe(a);
  });

  it("copies a batch once for the streams that get the same frames, and again when they differ", () => {
    const first = joinFrames([a, b]);
    expect(joinFrames([a, b])).toBe(first);
    const other = joinFrames([a, sseComment("ping")]);
    expect(other).not.toBe(first);
    expect(text(joinFrames([a, b]))).toBe(text(first));
  });
});
