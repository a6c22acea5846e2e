import { activity } from "@/lib/activity-kit";
import { errorResponse, requireAdminApi } from "@/lib/http";

export const dynamic = "force-dynamic";

/**
 * `GET /api/audit?limit=&cursor=&record=&type=&actor=&action=&from=&to=`: every event of the workspace for
 * its admins, as the feed's items plus the request each came from. Members get 403.
 */
export async function GET(request: Request) {
  try {
    const auth = await requireAdminApi();
    if (auth.response) return auth.response;
    const page = await activity.feed(auth.viewer.workspace.id, new URL(request.url).searchParams, { audit: true });
    return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
