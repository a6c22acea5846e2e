import { type ActivityRouteKit, tenantOf, viewerRoute } from "./route-kit";

/**
 * `GET /api/activity/records?q=&type=&limit=`: the viewer's workspace's records whose name contains `q`
 * (deleted ones too), for the record filter's picker: `{ records: [{ type, id, label }] }`, the most
 * recently active first. Bad input is a 400 naming the parameter; signed out is a 401.
 *
 * `export const { GET } = createRecordsRoute(activity);`
 */
export function createRecordsRoute(kit: ActivityRouteKit) {
  return viewerRoute(kit, {}, async (request, viewer) => {
    const records = await kit.searchRecords(tenantOf(viewer), new URL(request.url).searchParams);
    return Response.json({ records }, { headers: { "Cache-Control": "private, no-store" } });
  });
}
