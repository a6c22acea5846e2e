import { parseLiveParams } from "../live";
import { activityJsonError } from "./error-response";
import { type ActivityRouteKit, tenantOf, viewerRoute } from "./route-kit";

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

/**
 * `GET /api/activity/stream?after=<seq>&record=&actor=&action=`: Server-Sent Events of the viewer's
 * workspace, honouring the filters. Each event is `id: <seq>`, `event: activity`, `data: <item>`; a
 * reconnecting browser sends `Last-Event-ID` and receives everything after it, once. Without `after`, the
 * stream starts at the present.
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

    let unsubscribe: (() => void) | undefined;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    let closed = false;
    const stop = () => {
      closed = true;
      clearInterval(heartbeat);
      unsubscribe?.();
    };
    const end = (controller: ReadableStreamDefaultController<Uint8Array>) => {
      stop();
      try {
        controller.close();
      } catch {
        // already closed by the client going away
      }
    };

    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const write = (text: string) => {
          if (!closed) controller.enqueue(encoder.encode(text));
        };
        write("retry: 2000\n: connected\n\n");
        heartbeat = setInterval(() => write(": ping\n\n"), HEARTBEAT_MS);
        request.signal.addEventListener("abort", stop);
        try {
          unsubscribe = await hub.subscribe({
            workspaceId,
            filters: params.filters,
            after: params.after,
            send: (item) => write(`id: ${item.seq}\nevent: activity\ndata: ${JSON.stringify(item)}\n\n`),
            close: () => end(controller),
            signal: request.signal,
          });
          if (closed) unsubscribe();
        } catch (error) {
          console.error("activity stream: could not subscribe", error);
          end(controller);
        }
      },
      cancel: stop,
    });

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
