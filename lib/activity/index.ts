/**
 * activity-kit: the library a Next app copies. It imports drizzle, zod and Node built-ins only; the host
 * hands it a database and its table registrations in one seam file (`lib/activity-kit.ts`).
 */
import type { PgTable } from "drizzle-orm/pg-core";
import type { Catalogue } from "./catalogue";
import { createQueries } from "./queries";
import { type AnyTrackedTable, formatRecordKey, type TrackedTable } from "./registry";
import { type AnyDatabase, createTracker } from "./tracking";

export type { Actor, ActorType } from "./actor";
export { type BaseAction, defineCatalogue } from "./catalogue";
export { type ActivityContext, currentActivityContext, runWithActivityContext } from "./context";
export { ActivityError, type ActivityErrorCode } from "./errors";
export { type AnyTrackedTable, formatRecordKey, parseRecordKey, type TrackedTable, trackTable } from "./registry";
export { type ActivityEventRow, activityEvents } from "./schema";
export type { FailureResult, Subject, TrackingOptions } from "./tracking";
export type { RecordRef, RowChange } from "./types";

export interface ActivityKitConfig<Db extends AnyDatabase, C extends Catalogue> {
  /** The host's drizzle database (or a function that opens it on first use: never at import time). */
  db: () => Db | Promise<Db>;
  catalogue: C;
  tables: readonly AnyTrackedTable[];
}

export function createActivityKit<Db extends AnyDatabase, C extends Catalogue>(config: ActivityKitConfig<Db, C>) {
  const byTable = new Map<PgTable, AnyTrackedTable>(config.tables.map((t) => [t.table, t]));
  const { withTracking } = createTracker(config);
  const queries = createQueries(config.db);

  /** `task:42` for a row of a registered table. */
  function recordKey<T extends PgTable>(table: T, row: T["$inferSelect"]): string {
    const registration = byTable.get(table) as TrackedTable<T> | undefined;
    if (!registration) throw new Error("recordKey: that table is not registered with the activity kit.");
    return formatRecordKey(registration.ref(row));
  }

  return { withTracking, recordKey, tables: config.tables, catalogue: config.catalogue, ...queries };
}
