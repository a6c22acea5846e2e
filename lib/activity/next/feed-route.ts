import { type ActivityRouteKit, tenantOf, viewerRoute } from "./route-kit";

/**
 * `GET /api/activity?limit=&cursor=&record=&actor=&action=&from=&to=`: the viewer's feed, newest first:
 * `{ items, nextCursor, head }`. Bad input is a 400 naming the parameter; signed out is a 401.
 *
 * `export const { GET } = createFeedRoute(activity);`
 */
export function createFeedRoute(kit: ActivityRouteKit) {
  return viewerRoute(kit, {}, async (request, viewer) => {
    const page = await kit.feed(tenantOf(viewer), new URL(request.url).searchParams);
    return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
  });
}
