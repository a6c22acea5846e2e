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
  buffers: string;
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
  return {
    text,
    indexes: [
      ...new Set(
        text.flatMap((l) => [...l.matchAll(/(?:using|on) (activity_\w+_idx|\w+_pkey|\w+_key)/gi)].map((m) => m[1]!)),
      ),
    ],
    executionMs: Number(text.find((l) => l.startsWith("Execution Time"))?.match(/[\d.]+/)?.[0] ?? Number.NaN),
    buffers: text.find((l) => l.trim().startsWith("Buffers:"))?.trim() ?? "",
  };
}

/** The plan's nodes without their cost estimates, and the lines `keep` matches. */
export function planSketch(plan: PlanSummary, keep = /->|Rows Removed by Filter/): string[] {
  return plan.text
    .filter((l, i) => i === 0 || keep.test(l))
    .map((l) => l.replace(/\s*\(cost=[^)]*\)/, "").replace(/\s+\(actual time=/, "  (actual time="));
}
