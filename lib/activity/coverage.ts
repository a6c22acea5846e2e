import { sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import type { AnyTrackedTable } from "./registry";
import { rowsOf } from "./rows";
import { triggerArguments, triggerName } from "./sql";

interface TriggerRow {
  name: string;
  enabled: string;
  args: string[];
  function: string;
  rowLevel: boolean;
}

/**
 * What is wrong with the capture of the registered tables: a missing or disabled trigger, one installed
 * with an older registration's arguments, or one left over for an operation no longer tracked.
 * An empty list means every change to a tracked table is captured.
 */
export async function checkCoverage(db: AnyDatabase, tables: readonly AnyTrackedTable[]): Promise<string[]> {
  const problems: string[] = [];
  for (const table of tables) {
    const result = await db.execute(sql`
      SELECT tgname AS name, tgenabled AS enabled, p.proname AS function, (tgtype & 1) = 1 AS "rowLevel",
             string_to_array(rtrim(encode(tgargs, 'escape'), '\\000'), '\\000') AS args
        FROM pg_trigger JOIN pg_proc AS p ON p.oid = tgfoid
       WHERE tgrelid = to_regclass(${`"${table.tableName.replaceAll('"', '""')}"`})
         AND tgname LIKE 'activity_capture_%'`);
    const installed = new Map(rowsOf<TriggerRow>(result).map((r) => [r.name, r]));
    for (const operation of ["insert", "update", "delete"] as const) {
      const name = triggerName(table, operation);
      const trigger = installed.get(name);
      if (!table.operations.includes(operation)) {
        if (trigger)
          problems.push(`${table.tableName}: ${operation} is not tracked but its trigger ${name} is installed`);
        continue;
      }
      if (!trigger) {
        problems.push(
          `${table.tableName}: no ${operation} capture trigger (run npm run activity:migration, then migrate)`,
        );
      } else if (trigger.enabled === "D") {
        problems.push(`${table.tableName}: the ${operation} capture trigger is disabled`);
      } else if (
        trigger.function !== "activity_capture" ||
        !trigger.rowLevel ||
        JSON.stringify(trigger.args) !== JSON.stringify(triggerArguments(table))
      ) {
        problems.push(
          `${table.tableName}: the ${operation} capture trigger was installed for another registration ` +
            `(${trigger.args.join(", ")}); run npm run activity:migration, then migrate`,
        );
      }
    }
  }
  return problems;
}
