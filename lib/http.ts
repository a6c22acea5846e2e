import { ActivityError } from "@/lib/activity";
import { getViewer, type Viewer } from "@/lib/auth/viewer";
import { AppError, ERROR_STATUS, type ErrorCode } from "@/lib/result";

export function jsonError(code: ErrorCode | string, message: string, status: number, extra: object = {}): Response {
  return Response.json({ error: { code, message, ...extra } }, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * Maps the app's and the kit's errors to JSON responses, once: 4xx with `{ error: { code, message } }`
 * for bad input, and a plain 500 (logged, never a stack trace) for everything else.
 */
export function errorResponse(error: unknown): Response {
  if (error instanceof ActivityError) {
    return jsonError(error.code, error.message, 400, error.parameter ? { parameter: error.parameter } : {});
  }
  if (error instanceof AppError) return jsonError(error.code, error.message, ERROR_STATUS[error.code]);
  console.error(error);
  return jsonError("internal", "Something went wrong on our side.", 500);
}

export const unauthorized = () => jsonError("unauthorized", "Sign in to see this.", 401);

/** For admin-only route handlers: the viewer, or the 401/403 response to return. */
export async function requireAdminApi(): Promise<{ viewer: Viewer; response?: undefined } | { response: Response }> {
  const viewer = await getViewer();
  if (!viewer) return { response: unauthorized() };
  if (viewer.workspace.role !== "admin") {
    return { response: jsonError("forbidden", "The audit log is for workspace admins.", 403) };
  }
  return { viewer };
}
