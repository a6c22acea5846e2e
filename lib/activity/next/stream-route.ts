import { actorKey } from "../actor";
import type { ActivityViewer } from "../index";
import { type LiveStream, parseLiveParams } from "../live";
import { joinFrames, resetFrame, sseComment } from "../sse";
import { activityJsonError } from "./error-response";
import { type ActivityRouteKit, tenantOf, viewerRoute } from "./route-kit";

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();
const PING = sseComment("ping");
const LIVE = sseComment("live");

/** The viewer still sees this stream: signed in, as the same actor, in the same workspace. */
const sameViewer = (now: ActivityViewer | null, then: ActivityViewer) =>
  now !== null && tenantOf(now) === tenantOf(then) && actorKey(now.actor) === actorKey(then.actor);

/**
 * `GET /api/activity/stream?after=<seq>&record=&actor=&action=`: Server-Sent Events of the viewer's
 * workspace, honouring the filters. Each event is `id: <seq>`, `event: activity`, `data: <item>`; a
 * reconnecting browser sends `Last-Event-ID` and receives everything after it, once, up to the kit's
 * `live.replayLimit`: past that, and when the client reads too slowly to keep the unread bytes under
 * `live.maxBufferedBytes`, it gets `event: reset` (refetch what you show; the stream continues, or ends
 * for a slow client). Without `after`, the stream starts at the present. A viewer may hold
 * `live.maxStreamsPerViewer` streams (then 429 `too_many_streams`); each re-reads the viewer every
 * `live.recheckViewerMs` (the kit's `recheckViewer`) and ends when they signed out, became someone else or
 * lost the workspace.
 *
 * After the replay, a `: live` comment.
 *
 * `export const { GET } = createStreamRoute(activity);`
 */
export function createStreamRoute(kit: ActivityRouteKit) {
  return viewerRoute(kit, {}, (request, viewer) => {
    const workspaceId = tenantOf(viewer);
    const params = parseLiveParams(
      new URL(request.url).searchParams,
      request.headers.get("last-event-id"),
      kit.actions,
    );
    const hub = kit.live();
    // A browser's EventSource gives up on an error status instead of reconnecting to a server that is
    // going away; it comes back when the page is reloaded or the user acts.
    if (hub.closing) return activityJsonError("unavailable", "The server is restarting; reload in a moment.");
    const { maxBufferedBytes, recheckViewerMs } = hub.limits;

    // Set once each, below; held in an object so `stop` can run before any of them exists.
    const held: {
      live?: LiveStream;
      heartbeat?: ReturnType<typeof setInterval>;
      recheck?: ReturnType<typeof setTimeout>;
    } = {};
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let closed = false;
    const stop = () => {
      closed = true;
      clearInterval(held.heartbeat);
      clearTimeout(held.recheck);
      held.live?.end();
    };
    const end = () => {
      if (closed) return;
      flush(); // what was written before the end still goes out
      stop();
      try {
        controller.close();
      } catch {
        // already closed by the client going away
      }
    };
    /**
     * Frames written in one turn of the event loop (the events of one sequencer batch, the replay) go out
     * as one chunk: each chunk costs Next's response pipe a read, a write and their promises, which under a
     * burst to thousands of streams cost far more than the bytes. The chunk is enqueued unless the client
     * has left more than `maxBufferedBytes` unread (Next stops reading the stream while the socket does not
     * drain): then it gets a reset and the stream ends, instead of the server buffering for it without bound.
     */
    let pending: { frame: Uint8Array; seq?: number }[] = [];
    let flushing = false;
    const flush = () => {
      flushing = false;
      if (closed || pending.length === 0) return;
      const frames = pending;
      pending = [];
      let room = controller.desiredSize ?? -1; // null: the stream errored (the client went away)
      let fit = 0;
      while (fit < frames.length && frames[fit]!.frame.byteLength <= room) {
        room -= frames[fit]!.frame.byteLength;
        fit++;
      }
      try {
        if (fit > 0) controller.enqueue(joinFrames(frames.slice(0, fit).map((f) => f.frame)));
        if (fit < frames.length) {
          const seq = frames[fit]!.seq;
          if (controller.desiredSize !== null && seq !== undefined) controller.enqueue(resetFrame(seq, "slow_client"));
          end();
        }
      } catch {
        // The stream closed under us: a send from the hub's fan-out must not stop the other streams' sends.
        stop();
      }
    };
    const write = (frame: Uint8Array, seq?: number) => {
      if (closed) return;
      pending.push({ frame, seq });
      if (!flushing) {
        flushing = true;
        queueMicrotask(flush);
      }
    };

    const stream = new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c;
        },
        cancel: stop,
      },
      new ByteLengthQueuingStrategy({ highWaterMark: maxBufferedBytes }),
    );
    // Counted against the viewer's cap before the response exists: past it, this throws a 429.
    const live = hub.open({
      workspaceId,
      owner: actorKey(viewer.actor),
      filters: params.filters,
      after: params.after,
      send: (item, frame) => write(frame, item.seq),
      reset: (head) => write(resetFrame(head, "replay_limit")),
      close: end,
      signal: request.signal,
    });
    held.live = live;
    live.ready.then(
      // The replay is sent; live events follow (a reader that waits for it knows it misses nothing after).
      () => write(LIVE),
      (error: unknown) => {
        console.error("activity stream: could not subscribe", error);
        end();
      },
    );
    write(encoder.encode("retry: 2000\n: connected\n\n"));
    request.signal.addEventListener("abort", stop);
    // A client that left while the viewer was read (a browser navigating away, a probe that hung up at
    // once) aborted before the listener existed: release its place now, or it counts against the cap.
    if (request.signal.aborted) stop();
    held.heartbeat = setInterval(() => write(PING), HEARTBEAT_MS);
    // The timer runs in this request's async context, so a recheckViewer() that reads Next's cookies() and
    // headers() reads this request's, again (React's cache() does not hold across the calls of a route
    // handler): a revoked session, a removed membership, a deleted user end the stream.
    // The first re-read comes at a random point of the first interval: streams that opened together (every
    // browser reconnecting after a restart) do not re-read their viewers together ever after.
    const recheck = async () => {
      let now: ActivityViewer | null = null;
      try {
        now = await (kit.recheckViewer ? kit.recheckViewer() : kit.viewer());
      } catch (error) {
        console.error("activity stream: re-reading the viewer failed; ending the stream", error);
      }
      if (!sameViewer(now, viewer)) end();
      else if (!closed) held.recheck = setTimeout(recheck, recheckViewerMs);
    };
    held.recheck = setTimeout(recheck, recheckViewerMs * (0.5 + Math.random() / 2));

    return new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      },
    });
  });
}
