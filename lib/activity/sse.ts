import type { ActivityItem } from "./feed";

const encoder = new TextEncoder();

/**
 * One Server-Sent Event as bytes. The hub builds an item's frame once and every stream that gets the item
 * enqueues the same bytes: encoding per stream made a burst to many streams stall the event loop.
 * `data` must be one line (JSON is).
 */
export function sseFrame(event: string, data: string, id?: number): Uint8Array {
  return encoder.encode(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`);
}

/** A comment line (`: ping`): keeps proxies from timing the stream out; EventSource ignores it. */
export function sseComment(text: string): Uint8Array {
  return encoder.encode(`: ${text}\n\n`);
}

/** `id: <seq>`, `event: activity`, `data: <item>`: the stream's contract for one event. */
export function activityFrame(item: ActivityItem & { seq: number }): Uint8Array {
  return sseFrame("activity", JSON.stringify(item), item.seq);
}

/** Why a stream was reset: it missed more than the replay bound, or it read too slowly to keep up. */
export type ResetReason = "replay_limit" | "slow_client";

/**
 * `event: reset`: the client's view is out of date (more was missed than the stream replays); it refetches
 * its first page instead of merging. The id is where the stream continues, so a browser that reconnects by
 * itself resumes from the present rather than asking for the same replay again.
 */
export function resetFrame(head: number, reason: ResetReason): Uint8Array {
  return sseFrame("reset", JSON.stringify({ head, reason }), head);
}

let lastJoin: { parts: readonly Uint8Array[]; joined: Uint8Array } | null = null;

/**
 * The frames as one chunk. Streams with the same filters get the same frames of a batch, one after the
 * other, so the last join is kept and handed out again when every part is the same: one copy per batch
 * rather than one per stream.
 */
export function joinFrames(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const last = lastJoin;
  if (last && last.parts.length === parts.length && last.parts.every((part, i) => part === parts[i]))
    return last.joined;
  const joined = Buffer.concat(parts);
  lastJoin = { parts: [...parts], joined };
  return joined;
}
