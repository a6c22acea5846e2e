/**
 * Every error code of the kit with its one HTTP status. Bad input is a 4xx the caller can act on; the 500s
 * are programmer errors in the host's code (a tracked call without an actor, a table not registered): they
 * are logged, and the user sees a generic message.
 */
export const ACTIVITY_ERROR_STATUS = {
  invalid_event: 400,
  invalid_record: 400,
  invalid_cursor: 400,
  invalid_filter: 400,
  not_revertible: 400,
  nothing_to_revert: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  parent_missing: 409,
  too_many_streams: 429,
  unavailable: 503,
  no_actor: 500,
  not_registered: 500,
  invalid_config: 500,
  internal: 500,
} as const;

/** The machine code of an `ActivityError`; each has one HTTP status in `ACTIVITY_ERROR_STATUS`. */
export type ActivityErrorCode = keyof typeof ACTIVITY_ERROR_STATUS;

/** The kit's one error type: a machine code, a message a developer (or a user) can act on, its status. */
// Next bundles the kit into several chunks (instrumentation, each route), each with a class of its own: an
// error the live hub throws in one is not `instanceof` another's class. A brand shared through the global
// symbol registry makes `instanceof ActivityError` hold for every copy.
const BRAND = Symbol.for("activity-kit.error");

export class ActivityError extends Error {
  readonly [BRAND] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  constructor(
    readonly code: ActivityErrorCode,
    message: string,
    /** The request parameter at fault, when there is one. */
    readonly parameter?: string,
  ) {
    super(message);
    this.name = "ActivityError";
  }

  /** The HTTP status of the code. */
  get status(): number {
    return ACTIVITY_ERROR_STATUS[this.code];
  }

  /** A fault of the calling code rather than of the request: logged, and answered with a generic 500. */
  get isProgrammerError(): boolean {
    return this.status >= 500 && this.code !== "unavailable";
  }
}
