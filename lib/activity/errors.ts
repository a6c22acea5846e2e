/** The kit's one error type: a machine code and a message a developer (or a user) can act on. */
export type ActivityErrorCode =
  | "invalid_event"
  | "no_actor"
  | "invalid_record"
  | "not_registered"
  | "invalid_cursor"
  | "invalid_filter";

export class ActivityError extends Error {
  constructor(
    readonly code: ActivityErrorCode,
    message: string,
    /** The request parameter at fault, when there is one. */
    readonly parameter?: string,
  ) {
    super(message);
    this.name = "ActivityError";
  }
}
