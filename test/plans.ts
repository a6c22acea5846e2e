import { sql } from "drizzle-orm";
import type { AnyDatabase } from "@/lib/activity/database";
import { rowsOf } from "@/lib/activity/rows";

/** The fields of an EXPLAIN (FORMAT JSON) node the tests read. */
export type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Plan Rows": number;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
};

/** A query parameter as an SQL literal, to EXPLAIN a statement drizzle built. */
const literal = (value: unknown) =>
  typeof value === "number" ? String(value) : `'${String(value).replaceAll("'", "''")}'`;

/** Every node of the plan (`explain (<options>, format json)`) of a query drizzle built, root first. */
export async function planNodes(
  db: AnyDatabase,
  built: { toSQL(): { sql: string; params: unknown[] } },
  options: string,
): Promise<PlanNode[]> {
  const { sql: text, params } = built.toSQL();
  const [row] = rowsOf<{ "QUERY PLAN": unknown }>(
    await db.execute(
      sql.raw(
        `explain (${options}, format json) ${text.replace(/\$(\d+)/g, (_, n) => literal(params[Number(n) - 1]))}`,
      ),
    ),
  );
  const plan = row!["QUERY PLAN"];
  const nodes: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    nodes.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(((typeof plan === "string" ? JSON.parse(plan) : plan) as { Plan: PlanNode }[])[0]!.Plan);
  return nodes;
}
