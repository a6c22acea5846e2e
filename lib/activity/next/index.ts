/**
 * The kit's Next.js adapters: route handler factories, `registerActivity` for `instrumentation.ts`, the
 * request context for server actions, and the one mapping of errors to responses. Each route file of the
 * host is three lines:
 *
 * ```ts
 * import { createFeedRoute } from "@/lib/activity/next";
 * import { activity } from "@/lib/activity-kit";
 * export const { GET } = createFeedRoute(activity);
 * ```
 */
export { createAuditRoute } from "./audit-route";
export { activityErrorResponse, activityJsonError } from "./error-response";
export { createExportRoute } from "./export-route";
export { createFeedRoute } from "./feed-route";
export { createRecordsRoute } from "./records-route";
export { type RegisterActivityOptions, registerActivity } from "./register";
export { activityRequestContext, withActivityRequest } from "./request-context";
export { requestTime } from "./request-time";
export type { ActivityRouteKit } from "./route-kit";
export { createStreamRoute } from "./stream-route";
