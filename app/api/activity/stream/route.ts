import { parseLiveParams } from "@/lib/activity";
import { activity, liveHub } from "@/lib/activity-kit";
import { getViewer } from "@/lib/auth/viewer";
import { errorResponse, jsonError, unauthorized } from "@/lib/http";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

/**
 * `GET /api/activity/stream?after=<seq>&record=&actor=&action=`: Server-Sent Events of the viewer's
 * workspace, honouring the filters. Each event is `id: <seq>`, `event: activity`, `data: <item>`; a
 * reconnecting browser sends `Last-Event-ID` and receives everything after it, once. Without `after`, the
 * stream starts at the present.
 */
export async function GET(request: Request) {
  let params: ReturnType<typeof parseLiveParams>;
  let viewer: Awaited<ReturnType<typeof getViewer>>;
  try {
    viewer = await getViewer();
    if (!viewer) return unauthorized();
    params = parseLiveParams(new URL(request.url).searchParams, request.headers.get("last-event-id"), activity.actions);
  } catch (error) {
    return errorResponse(error);
  }
  const workspaceId = String(viewer.workspace.id);
  const hub = liveHub();
  // A browser's EventSource gives up on an error status instead of reconnecting to a server that is
  // going away; it comes back when the page is reloaded or the user acts.
  if (hub.closing) return jsonError("unavailable", "The server is restarting; reload in a moment.", 503);

  let unsubscribe: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const stop = () => {
    closed = true;
    clearInterval(heartbeat);
    unsubscribe?.();
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
          close: () => {
            stop();
            try {
              controller.close();
            } catch {
              // already closed by the client going away
            }
          },
          signal: request.signal,
        });
        if (closed) unsubscribe();
      } catch (error) {
        console.error("activity stream: could not subscribe", error);
        stop();
        try {
          controller.close();
        } catch {
          // already closed by the client going away
        }
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
}
