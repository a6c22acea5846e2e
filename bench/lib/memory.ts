import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A full garbage collection, so heap figures compare: `global.gc` when node runs with --expose-gc, else
 * the same function obtained at run time (V8 exposes it to contexts created after the flag is set).
 * Null when neither works: heap deltas then include garbage.
 */
export function forceGc(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return exposed;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

export interface MemorySample {
  heapUsed: number;
  rss: number;
}

/** heapUsed and rss in bytes, after two full collections when possible (the second frees what finalizers let go). */
export function sampleMemory(gc: (() => void) | null): MemorySample {
  gc?.();
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}
