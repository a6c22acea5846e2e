import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";

export interface SentStatement {
  query: string;
  parameters: unknown[];
}

/** What EXPLAIN (ANALYZE, BUFFERS) says of one statement, in short. */
export interface PlanSummary {
  text: string[];
  indexes: string[];
  executionMs: number;
  planningMs: number;
  /** Time PostgreSQL spent JIT-compiling the query (inside executionMs), 0 when it did not. */
  jitMs: number;
  /** The planner's estimate of the rows and total cost of the whole statement (its top node). */
  estimate: { rows: number; cost: number };
  buffers: string;
}

/** "…, and what the planner expected and compiled": planning time, the top node's estimate, any JIT. */
export function planNote(plan: PlanSummary): string {
  const jit = plan.jitMs > 0 ? `, JIT ${plan.jitMs.toFixed(1)} ms` : "";
  return `planned in ${plan.planningMs.toFixed(2)} ms for ${Math.round(plan.estimate.rows)} rows at cost ${Math.round(plan.estimate.cost)}${jit}`;
}

/**
 * A one-connection database that records every statement postgres.js sends, so the statements the kit
 * really runs can be explained afterwards. Close it with `client.end()`.
 */
export function recordingDatabase(url: string) {
  let sent: SentStatement[] = [];
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query, parameters) => sent.push({ query, parameters }),
  });
  const db = drizzle(client, { schema }) as unknown as Database;
  return {
    client,
    db,
    /** The statements sent since the last call, and a fresh record from here on. */
    take(): SentStatement[] {
      const taken = sent;
      sent = [];
      return taken;
    },
  };
}

/** Runs EXPLAIN (ANALYZE, BUFFERS) of a recorded statement, with its parameters. */
export async function explain(client: postgres.Sql, statement: SentStatement): Promise<PlanSummary> {
  const rows = await client.unsafe<{ "QUERY PLAN": string }[]>(
    `EXPLAIN (ANALYZE, BUFFERS) ${statement.query}`,
    statement.parameters as never[],
  );
  const text = rows.map((r) => r["QUERY PLAN"]);
  const timeOf = (prefix: string) =>
    Number(text.find((l) => l.trim().startsWith(prefix))?.match(/[\d.]+/)?.[0] ?? Number.NaN);
  const top = text[0]?.match(/cost=[\d.]+\.\.([\d.]+) rows=(\d+)/);
  const jitTotal = text.find((l) => /^\s*Timing:.*Total [\d.]+ ms/.test(l))?.match(/Total ([\d.]+) ms/)?.[1];
  return {
    text,
    indexes: [
      ...new Set(
        text.flatMap((l) => [...l.matchAll(/(?:using|on) (activity_\w+_idx|\w+_pkey|\w+_key)/gi)].map((m) => m[1]!)),
      ),
    ],
    executionMs: timeOf("Execution Time"),
    planningMs: timeOf("Planning Time"),
    jitMs: jitTotal === undefined ? 0 : Number(jitTotal),
    estimate: { rows: Number(top?.[2] ?? Number.NaN), cost: Number(top?.[1] ?? Number.NaN) },
    buffers: text.find((l) => l.trim().startsWith("Buffers:"))?.trim() ?? "",
  };
}

/** The plan's nodes without their cost estimates, and the lines `keep` matches. */
export function planSketch(plan: PlanSummary, keep = /->|Rows Removed by Filter/): string[] {
  return plan.text
    .filter((l, i) => i === 0 || keep.test(l))
    .map((l) => l.replace(/\s*\(cost=[^)]*\)/, "").replace(/\s+\(actual time=/, "  (actual time="));
}
