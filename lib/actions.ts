import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { ActivityError } from "@/lib/activity";
import { withActivityRequest } from "@/lib/activity/next";
import { viewerActor } from "@/lib/actor";
import { isAdmin, requireViewer, type Viewer } from "@/lib/auth/viewer";
import { AppError, type ErrorCode, type Failure, fail, type Result } from "@/lib/result";

export type ActionState<T = undefined> = Result<T> | null;

/** The kit's error codes as an action result's, by their HTTP status (the kit's one table). */
const ACTION_CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
};

/**
 * The one mapping of an error to a failed action result: the app's AppError as it is, the kit's errors of
 * bad input by their status, and anything else (the kit's programmer errors, such as `no_actor`, included)
 * logged and answered with a generic message. Next's redirects and not-found are rethrown.
 */
export function toFailure(error: unknown): Failure {
  unstable_rethrow(error);
  if (error instanceof AppError) return fail(error.code, error.message, error.fieldErrors);
  const code = error instanceof ActivityError && !error.isProgrammerError && ACTION_CODE_OF_STATUS[error.status];
  if (code) return fail(code, error.message);
  console.error(error);
  return fail("internal", "Something went wrong on our side. Nothing was saved; please try again.");
}

/**
 * A server action that reads the session and workspace, parses its form with zod, and returns a typed
 * result (for `useActionState`). Validation errors come back per field; nothing is written on failure.
 * The handler runs with the viewer and the request (id, IP, user agent) as the activity context.
 */
export function formAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.output<S>, viewer: Viewer) => Promise<Result<T>>,
  options: { admin?: boolean } = {},
) {
  return async (_previous: ActionState<T>, formData: FormData): Promise<Result<T>> => {
    try {
      const viewer = await requireViewer();
      if (options.admin && !isAdmin(viewer)) return fail("forbidden", "Only admins can do this.");
      const parsed = schema.safeParse(Object.fromEntries(formData));
      if (!parsed.success) {
        const fieldErrors: Record<string, string[]> = {};
        for (const issue of parsed.error.issues) {
          const key = String(issue.path[0] ?? "form");
          fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message];
        }
        return fail("validation", "Please correct the highlighted fields.", fieldErrors);
      }
      return await withActivityRequest(viewerActor(viewer), () => handler(parsed.data, viewer));
    } catch (error) {
      return toFailure(error);
    }
  };
}
