/**
 * One error type for the app: a machine code and a human message, mapped once to a failed action result
 * (`lib/actions.ts`). The app's route handlers are the activity kit's, which map the kit's errors to HTTP
 * (`lib/activity/next`). Users never see a stack trace.
 */
export const ERROR_CODES = [
  "bad_request",
  "validation",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "rate_limited",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type FieldErrors = Record<string, string[] | undefined>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export interface Failure {
  ok: false;
  /** `details`: what the form needs to explain the failure (a revert's conflicting fields, say). */
  error: { code: ErrorCode; message: string; fieldErrors?: FieldErrors; details?: unknown };
}
export type Result<T = undefined> = { ok: true; data: T } | Failure;

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });

export function fail(code: ErrorCode, message: string, fieldErrors?: FieldErrors): Failure {
  return { ok: false, error: fieldErrors ? { code, message, fieldErrors } : { code, message } };
}
