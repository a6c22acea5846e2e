import { AsyncLocalStorage } from "node:async_hooks";
import type { Actor } from "./actor";

/** What is known about the current request, available to withTracking without threading it through. */
export interface ActivityContext {
  actor?: Actor;
  requestId?: string;
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
