import { connection } from "next/server";
import { activityErrorResponse } from "./error-response";
import { type ActivityRouteKit, authorize, tenantOf } from "./route-kit";

/**
 * `GET /api/audit?limit=&cursor=&record=&type=&actor=&action=&from=&to=`: every event of the viewer's
 * workspace, as the feed's items plus the request each came from. Signed out 401; without `canAudit` 403.
 *
 * `export const { GET } = createAuditRoute(activity);`
 */
export function createAuditRoute(kit: ActivityRouteKit) {
  return {
    async GET(request: Request): Promise<Response> {
      try {
        await connection();
        const auth = await authorize(kit, { audit: true });
        if (auth.response) return auth.response;
        const page = await kit.feed(tenantOf(auth.viewer), new URL(request.url).searchParams, { audit: true });
        return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
      } catch (error) {
        return activityErrorResponse(error);
      }
    },
  };
}
