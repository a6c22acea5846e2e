import { AsyncLocalStorage } from "node:async_hooks";
import type { Actor } from "./actor";
import type { AnyDatabase } from "./database";

/** What is known about the current request, available to withTracking without threading it through. */
export interface ActivityContext {
  actor?: Actor;
  requestId?: string;
  /** A request id the client sent (not trusted, so not the request id): stored as `metadata.clientRequestId`. */
  clientRequestId?: string;
  ip?: string;
  userAgent?: string;
  /** When the events of this context happened: for imports and seeding. Defaults to the transaction's time. */
  occurredAt?: Date;
}

const storage = new AsyncLocalStorage<ActivityContext>();

/** Runs `fn` with this context (merged over any outer one); explicit withTracking arguments still win. */
export function runWithActivityContext<T>(context: ActivityContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

/** The actor and request of the current `runWithActivityContext` call (empty outside one). */
export function currentActivityContext(): ActivityContext {
  return storage.getStore() ?? {};
}

/**
 * The transaction a tracked action runs in, for the withTracking calls made inside it: they join it (a
 * savepoint each) rather than open a transaction of their own, which would wait for the locks and the
 * connection their caller holds. Internal to the kit.
 */
export interface TransactionFrame {
  /** The database the transaction belongs to (a call on another database does not join it). */
  readonly db: object;
  /** The transaction (or savepoint) to open the nested action's savepoint in. */
  readonly tx: AnyDatabase;
  /** Set when the action ends: a call made later (a promise left running) opens a transaction of its own. */
  closed: boolean;
  /** Nested actions of one transaction run one after another: savepoints on one connection cannot interleave. */
  queue: Promise<void>;
}

const frames = new AsyncLocalStorage<TransactionFrame>();

/**
 * Runs `fn` as the body of a tracked action in `tx`. When `fn` settles, the nested actions it started
 * and did not wait for are waited for (they are part of its transaction), and the frame closes.
 */
export async function runInTransactionFrame<T>(db: object, tx: AnyDatabase, fn: () => Promise<T>): Promise<T> {
  const frame: TransactionFrame = { db, tx, closed: false, queue: Promise.resolve() };
  const drain = async () => {
    for (let pending = frame.queue; ; pending = frame.queue) {
      await pending;
      if (pending === frame.queue) return;
    }
  };
  try {
    const result = await frames.run(frame, fn);
    await drain();
    return result;
  } catch (error) {
    await drain();
    throw error;
  } finally {
    frame.closed = true;
  }
}

/** The open transaction of the tracked action this code runs in, if any. */
export function currentTransactionFrame(): TransactionFrame | undefined {
  const frame = frames.getStore();
  return frame && !frame.closed ? frame : undefined;
}

/** Runs `work` after the frame's earlier nested actions have settled. */
export function serializeInFrame<T>(frame: TransactionFrame, work: () => Promise<T>): Promise<T> {
  const result = frame.queue.then(work);
  frame.queue = result.then(
    () => {},
    () => {},
  );
  return result;
}
