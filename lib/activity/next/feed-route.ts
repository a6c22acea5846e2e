import { connection } from "next/server";
import { activityErrorResponse } from "./error-response";
import { type ActivityRouteKit, authorize, tenantOf } from "./route-kit";

/**
 * `GET /api/activity?limit=&cursor=&record=&actor=&action=&from=&to=`: the viewer's feed, newest first:
 * `{ items, nextCursor, head }`. Bad input is a 400 naming the parameter; signed out is a 401.
 *
 * `export const { GET } = createFeedRoute(activity);`
 */
export function createFeedRoute(kit: ActivityRouteKit) {
  return {
    async GET(request: Request): Promise<Response> {
      try {
        await connection();
        const auth = await authorize(kit);
        if (auth.response) return auth.response;
        const page = await kit.feed(tenantOf(auth.viewer), new URL(request.url).searchParams);
        return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
      } catch (error) {
        return activityErrorResponse(error);
      }
    },
  };
}
