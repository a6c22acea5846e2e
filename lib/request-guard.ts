/**
 * Checks the proxy makes on the raw request, before Next parses it (see proxy.ts).
 */

/** The server actions' body limit: next.config.ts sets `experimental.serverActions.bodySizeLimit` from it. */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

/** The APIs whose query strings the kit parses, refusing every parameter it does not know. */
const FILTERED_APIS = [
  "/api/activity",
  "/api/activity/records",
  "/api/activity/stream",
  "/api/audit",
  "/api/audit/export",
];

function json(status: number, error: object): Response {
  return Response.json({ error }, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * The response for a request refused before it reaches a route, or null to let it through:
 *
 * - A POST to a page (a server action, with or without JavaScript) whose body is over the actions' limit is a
 *   413. Next itself reads such a body up to the limit and then answers 500.
 * - On the filtered APIs, a parameter named like a property of every object (`__proto__`, `constructor`) is
 *   a 400, like any unknown parameter. Next copies the query into a plain object before the route sees it,
 *   and `__proto__=1` vanishes there: the route would silently ignore it.
 */
export function refuseRequest(request: Request): Response | null {
  const url = new URL(request.url);
  if (request.method === "POST" && !url.pathname.startsWith("/api/")) {
    const length = Number(request.headers.get("content-length") ?? "0");
    if (length > ACTION_BODY_LIMIT_BYTES) {
      return json(413, {
        code: "too_large",
        message: `That is too much to send at once: keep it under ${ACTION_BODY_LIMIT_BYTES / 1024 / 1024} MB.`,
      });
    }
  }
  if (FILTERED_APIS.includes(url.pathname.replace(/\/$/, ""))) {
    for (const key of url.searchParams.keys()) {
      if (key in Object.prototype) {
        return json(400, {
          code: "invalid_filter",
          message: `Unknown parameter "${key.slice(0, 40)}".`,
          parameter: key,
        });
      }
    }
  }
  return null;
}
