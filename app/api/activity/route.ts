import { activity } from "@/lib/activity-kit";
import { getViewer } from "@/lib/auth/viewer";
import { errorResponse, unauthorized } from "@/lib/http";

export const dynamic = "force-dynamic";

/**
 * `GET /api/activity?limit=&cursor=&record=&actor=&action=&from=&to=`: the viewer's workspace feed, newest
 * first: `{ items, nextCursor }`. Bad input is a 400 naming the parameter; signed out is a 401.
 */
export async function GET(request: Request) {
  try {
    const viewer = await getViewer();
    if (!viewer) return unauthorized();
    const page = await activity.feed(viewer.workspace.id, new URL(request.url).searchParams);
    return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
