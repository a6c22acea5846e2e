import { unstable_rethrow } from "next/navigation";
import { ActivityError, type ActivityErrorCode } from "../errors";

/** `{ error: { code, message, parameter? } }` with the code's status, never cached. */
export function activityJsonError(code: ActivityErrorCode, message: string, parameter?: string): Response {
  return Response.json(
    { error: parameter ? { code, message, parameter } : { code, message } },
    { status: new ActivityError(code, message).status, headers: { "Cache-Control": "no-store" } },
  );
}

/**
 * The one mapping of an error to a response: an ActivityError of bad input to its 4xx, anything else
 * (a programmer error such as `no_actor`, a failing database) to a logged 500 without details. Next's own
 * control flow (a prerender bail-out, `notFound()`, a redirect) is rethrown, not answered.
 */
export function activityErrorResponse(error: unknown): Response {
  unstable_rethrow(error);
  if (error instanceof ActivityError && !error.isProgrammerError) {
    return activityJsonError(error.code, error.message, error.parameter);
  }
  console.error("activity:", error);
  return activityJsonError("internal", "Something went wrong on our side.");
}
