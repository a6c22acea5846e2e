import { connection } from "next/server";
import type { ActivityItem } from "../feed";
import type { ActivityViewer } from "../index";
import type { LiveHub } from "../live";
import type { FoundRecord } from "../record-search";
import { activityErrorResponse, activityJsonError } from "./error-response";

/** What the route factories use of a kit made by `createActivityKit`. */
export interface ActivityRouteKit {
  viewer(): Promise<ActivityViewer | null>;
  /** The viewer again, for an open stream (`viewer` when absent). */
  recheckViewer?(): Promise<ActivityViewer | null>;
  feed(workspaceId: string | number, search: URLSearchParams, options?: { audit?: boolean }): Promise<unknown>;
  exportItems(workspaceId: string | number, search: URLSearchParams): AsyncGenerator<ActivityItem[]>;
  searchRecords(workspaceId: string | number, search: URLSearchParams): Promise<FoundRecord[]>;
  live(): LiveHub;
  readonly actions: readonly string[];
}

/** The viewer's tenant as the kit's queries take it ("" in an app without tenants). */
export const tenantOf = (viewer: ActivityViewer): string =>
  viewer.workspaceId === null ? "" : String(viewer.workspaceId);

/** The viewer, or the response to return instead: 401 signed out, 403 without `canAudit` when required. */
export async function authorize(
  kit: ActivityRouteKit,
  options: { audit?: boolean } = {},
): Promise<{ viewer: ActivityViewer; response?: undefined } | { response: Response }> {
  const viewer = await kit.viewer();
  if (!viewer) return { response: activityJsonError("unauthorized", "Sign in to see this.") };
  if (options.audit && !viewer.canAudit) {
    return { response: activityJsonError("forbidden", "You are not allowed to read the audit log.") };
  }
  return { viewer };
}

/**
 * The one wrapper of every route factory: the request is dynamic (`connection()`, so it works with
 * `cacheComponents`), the viewer is checked before anything is read, and any error becomes its response.
 */
export function viewerRoute(
  kit: ActivityRouteKit,
  options: { audit?: boolean },
  handle: (request: Request, viewer: ActivityViewer) => Promise<Response> | Response,
) {
  return {
    async GET(request: Request): Promise<Response> {
      try {
        await connection();
        const auth = await authorize(kit, options);
        if (auth.response) return auth.response;
        return await handle(request, auth.viewer);
      } catch (error) {
        return activityErrorResponse(error);
      }
    },
  };
}
