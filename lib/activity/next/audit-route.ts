import { type ActivityRouteKit, tenantOf, viewerRoute } from "./route-kit";

/**
 * `GET /api/audit?limit=&cursor=&record=&type=&actor=&action=&from=&to=`: every event of the viewer's
 * workspace, as the feed's items plus the request each came from. Signed out 401; without `canAudit` 403.
 *
 * `export const { GET } = createAuditRoute(activity);`
 */
export function createAuditRoute(kit: ActivityRouteKit) {
  return viewerRoute(kit, { audit: true }, async (request, viewer) => {
    const page = await kit.feed(tenantOf(viewer), new URL(request.url).searchParams, { audit: true });
    return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
  });
}
