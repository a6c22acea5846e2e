/**
 * One error type for the app: a machine code and a human message, mapped once to an HTTP status
 * (route handlers) or to a failed action result (server actions). Users never see a stack trace.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
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

  get status(): number {
    return ERROR_STATUS[this.code];
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
