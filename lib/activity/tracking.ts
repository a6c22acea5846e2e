import type { Actor } from "./actor";
import { storedActor } from "./actor";
import {
  type ActionOf,
  BASE_ACTIONS,
  type BaseMetadata,
  type Catalogue,
  type MetadataOf,
  type RequiresMetadata,
} from "./catalogue";
import {
  currentActivityContext,
  currentTransactionFrame,
  runInTransactionFrame,
  serializeInFrame,
  type TransactionFrame,
} from "./context";
import type { AnyDatabase, TransactionOf } from "./database";
import { ActivityError } from "./errors";
import { pgArray } from "./pg-array";
import { formatRecordKey } from "./registry";
import {
  BEGIN_STATEMENT,
  NESTED_BEGIN_STATEMENT,
  NESTED_LEAVE_STATEMENT,
  NESTED_SKIP_STATEMENT,
  NESTED_STORE_EVENT_STATEMENT,
  SKIP_STATEMENT,
  STORE_EVENT_STATEMENT,
} from "./sql";
import { executeStatement, type Statement, type TransactionRunner, transactionRunner } from "./transaction";
import type { RecordRef } from "./types";

/** A result that says the mutation failed: withTracking rolls back and returns it unchanged. */
export interface FailureResult {
  ok: false;
}

function isFailure(value: unknown): value is FailureResult {
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false;
}

/** The feed line's subject of an event: a text, or a function of the mutation's result. */
export type Subject<R> = string | ((result: R) => string);

/** The last argument of `withTracking`: metadata, record, related records, `track: false`, `occurredAt`. */
export interface TrackingOptions<R, M> {
  /** Metadata of the event: for a catalogue verb, what its schema requires. */
  metadata?: M;
  /** The record the event is about, when it cannot be derived from the captured changes. */
  record?: RecordRef | ((result: R) => RecordRef);
  /** Other records the event also belongs to (it then shows in their history too). */
  related?: RecordRef[] | ((result: R) => RecordRef[]);
  /**
   * `false` runs `fn` in a transaction with neither an event nor capture. Inside a tracked action it
   * stores no event of its own, and its changes stay the enclosing action's (they are captured in its
   * event, under its actor).
   */
  track?: boolean;
  /**
   * A drizzle transaction the host already holds: the action runs in a savepoint of it and its event is
   * stored in it (committed or rolled back with it). Inside another withTracking this is not needed: the
   * transaction is found through the async context.
   */
  tx?: AnyDatabase;
  /** When it happened, for imports and seeding; defaults to the context's, then the transaction's time. */
  occurredAt?: Date;
}

/** The verbs whose metadata has a required key: for them the options argument is required. */
type VerbsRequiringMetadata<C extends Catalogue> = {
  [K in keyof C & string]: RequiresMetadata<C, K> extends true ? K : never;
}[keyof C & string];

type Success<R> = Exclude<R, FailureResult>;

/**
 * Two call signatures rather than a conditional rest parameter: TypeScript then infers `R` from `fn`
 * even when `subject` and the options are functions of the result.
 */
export interface WithTracking<Tx, C extends Catalogue> {
  <A extends VerbsRequiringMetadata<C>, R>(
    user: Actor | null | undefined,
    action: A,
    subject: Subject<Success<R>>,
    fn: (tx: Tx) => Promise<R>,
    options: TrackingOptions<NoInfer<Success<R>>, MetadataOf<C, A>> & { metadata: MetadataOf<C, A> },
  ): Promise<R>;
  <A extends Exclude<ActionOf<C>, VerbsRequiringMetadata<C>>, R>(
    user: Actor | null | undefined,
    action: A,
    subject: Subject<Success<R>>,
    fn: (tx: Tx) => Promise<R>,
    options?: TrackingOptions<NoInfer<Success<R>>, MetadataOf<C, A>>,
  ): Promise<R>;
}

class Rollback<R> extends Error {
  constructor(readonly result: R) {
    super("withTracking: rolled back a failed result");
  }
}

const resolve = <R, T>(value: T | ((result: R) => T) | undefined, result: R): T | undefined =>
  typeof value === "function" ? (value as (result: R) => T)(result) : value;

/** The open transaction a nested action joins, and its frame when it is a tracked action's own. */
interface Enclosing {
  tx: AnyDatabase;
  frame: TransactionFrame | undefined;
}

/** The same database: one drizzle instance, or two over one client. */
function sameDatabase(a: object, b: object): boolean {
  const client = (db: object) => (db as { $client?: unknown }).$client;
  return a === b || (client(a) !== undefined && client(a) === client(b));
}

export interface TrackerConfig<Db extends AnyDatabase, C extends Catalogue> {
  db: () => Db | Promise<Db>;
  catalogue: C;
}

export function createTracker<Db extends AnyDatabase, C extends Catalogue>(config: TrackerConfig<Db, C>) {
  function parseMetadata(action: string, metadata: unknown): Record<string, unknown> {
    const schema = config.catalogue[action];
    if (schema) {
      const parsed = schema.safeParse(metadata ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "metadata"}: ${i.message}`).join("; ");
        throw new ActivityError("invalid_event", `Metadata of "${action}" is invalid (${detail}).`);
      }
      return parsed.data;
    }
    if (!(BASE_ACTIONS as readonly string[]).includes(action)) {
      throw new ActivityError("invalid_event", `"${action}" is neither a base action nor a verb of the catalogue.`);
    }
    if (metadata !== undefined && (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))) {
      throw new ActivityError("invalid_event", `Metadata of "${action}" must be an object.`);
    }
    return (metadata ?? {}) as BaseMetadata;
  }

  /**
   * Runs `fn(tx)` in one transaction and stores the event in it when `fn` succeeds: never a change without
   * its event, nor an event without its change. A thrown error rolls back and propagates; a returned
   * `{ ok: false }` rolls back and is returned unchanged.
   *
   * Called inside another tracked action (found through the async context), or given the host's
   * transaction (`options.tx`), it joins that transaction: `fn` runs in a savepoint, the event is stored
   * there with `metadata.parentEventId` naming the enclosing action's event, and a failure rolls back the
   * savepoint only (the caller may go on). Nothing of it is stored if the enclosing transaction fails.
   */
  async function withTracking<R>(
    user: Actor | null | undefined,
    action: string,
    subject: Subject<Success<R>>,
    fn: (tx: TransactionOf<Db>) => Promise<R>,
    options?: TrackingOptions<Success<R>, unknown>,
  ): Promise<R> {
    const opts = options ?? {};
    const db = await config.db();
    const frame = currentTransactionFrame();
    const enclosing: Enclosing | null = opts.tx
      ? { tx: opts.tx, frame: frame?.tx === opts.tx ? frame : undefined }
      : frame && sameDatabase(frame.db, db)
        ? { tx: frame.tx, frame }
        : null;
    if (opts.track === false) {
      return enclosing
        ? runNested(db, enclosing, { text: NESTED_SKIP_STATEMENT }, fn, () => ({ text: NESTED_LEAVE_STATEMENT }))
        : runInTransaction(db, { text: SKIP_STATEMENT }, fn, () => null);
    }
    const metadata = parseMetadata(action, opts.metadata);
    const context = currentActivityContext();
    const actorInput = user ?? context.actor;
    if (!actorInput)
      throw new ActivityError("no_actor", "withTracking needs an actor: pass one or set it in the context.");
    const actor = storedActor(actorInput);
    const request = { requestId: context.requestId, ip: context.ip, userAgent: context.userAgent };
    const who = { actorType: actor.type, actorId: actor.id, actorLabel: actor.label };
    const opening = JSON.stringify({ ...who, ...request });

    const closing =
      (store: string) =>
      (success: Success<R>): Statement => {
        const record = resolve(opts.record, success);
        const related = (resolve(opts.related, success) ?? []).map((r) => ({ type: r.type, id: String(r.id) }));
        const hintId =
          typeof success === "object" && success !== null && "id" in success
            ? String((success as { id: unknown }).id)
            : null;
        const event = {
          ...who,
          ...request,
          workspaceId: actor.workspaceId,
          occurredAt: (opts.occurredAt ?? context.occurredAt)?.toISOString(),
          action,
          subject: resolve(subject, success) ?? "",
          recordType: record?.type,
          recordId: record ? String(record.id) : undefined,
          hintId,
          related,
          refs: pgArray([...new Set(related.map((r) => formatRecordKey(r)))].sort()),
          // A request id the client chose is no fact of the request; kept beside the action's metadata.
          metadata: context.clientRequestId ? { clientRequestId: context.clientRequestId, ...metadata } : metadata,
        };
        return { text: store, argument: JSON.stringify(event) };
      };
    return enclosing
      ? runNested(
          db,
          enclosing,
          { text: NESTED_BEGIN_STATEMENT, argument: opening },
          fn,
          closing(NESTED_STORE_EVENT_STATEMENT),
        )
      : runInTransaction(db, { text: BEGIN_STATEMENT, argument: opening }, fn, closing(STORE_EVENT_STATEMENT));
  }

  /** Runs a transaction of its own; a failure result rolls it back and is returned unchanged. */
  async function runInTransaction<R>(
    db: Db,
    opening: Statement,
    fn: (tx: TransactionOf<Db>) => Promise<R>,
    closing: (success: Success<R>) => Statement | null,
  ): Promise<R> {
    const runner: TransactionRunner<Db> = transactionRunner(db);
    try {
      return await runner.run(
        opening,
        (tx) => runInTransactionFrame(db, tx as AnyDatabase, () => fn(tx)),
        (result) => {
          if (isFailure(result)) throw new Rollback(result);
          return closing(result as Success<R>);
        },
      );
    } catch (error) {
      if (error instanceof Rollback) return error.result as R;
      throw error;
    }
  }

  /**
   * Runs in a savepoint of the enclosing transaction: `opening` first, `closing(result)` last, both in
   * the savepoint, so a failure takes back the action's changes, its event and its settings together.
   */
  async function runNested<R>(
    db: Db,
    enclosing: Enclosing,
    opening: Statement,
    fn: (tx: TransactionOf<Db>) => Promise<R>,
    closing: (success: Success<R>) => Statement,
  ): Promise<R> {
    const work = () =>
      enclosing.tx.transaction(async (savepoint) => {
        await executeStatement(savepoint, opening);
        const result = await runInTransactionFrame(db, savepoint, () => fn(savepoint as TransactionOf<Db>));
        if (isFailure(result)) throw new Rollback(result);
        await executeStatement(savepoint, closing(result as Success<R>));
        return result;
      });
    try {
      return await (enclosing.frame ? serializeInFrame(enclosing.frame, work) : work());
    } catch (error) {
      if (error instanceof Rollback) return error.result as R;
      throw error;
    }
  }

  return { withTracking: withTracking as WithTracking<TransactionOf<Db>, C> };
}
