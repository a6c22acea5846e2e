import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { ActivityError, runWithActivityContext } from "@/lib/activity";
import { viewerActor } from "@/lib/actor";
import { isAdmin, requireViewer, type Viewer } from "@/lib/auth/viewer";
import { requestActivityContext } from "@/lib/request-context";
import { AppError, type Failure, fail, type Result } from "@/lib/result";

export type ActionState<T = undefined> = Result<T> | null;

function toFailure(error: unknown): Failure {
  unstable_rethrow(error);
  if (error instanceof AppError) return fail(error.code, error.message, error.fieldErrors);
  if (error instanceof ActivityError) return fail("bad_request", error.message);
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
      // A hand-made request can call an action with anything, or nothing, for its form.
      if (!(formData instanceof FormData)) return fail("bad_request", "This form could not be read; reload the page.");
      const parsed = schema.safeParse(Object.fromEntries(formData));
      if (!parsed.success) {
        const fieldErrors: Record<string, string[]> = {};
        for (const issue of parsed.error.issues) {
          const key = String(issue.path[0] ?? "form");
          fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message];
        }
        return fail("validation", "Please correct the highlighted fields.", fieldErrors);
      }
      const context = { ...(await requestActivityContext()), actor: viewerActor(viewer) };
      return await runWithActivityContext(context, () => handler(parsed.data, viewer));
    } catch (error) {
      return toFailure(error);
    }
  };
}
