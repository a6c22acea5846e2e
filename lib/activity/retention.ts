import { sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import { rowsOf } from "./rows";

/**
 * How long events are kept, by action: `{ "task.*": "2 years", "user.signed_in": "90 days" }`. A key is an
 * action name, or a pattern where `*` stands for any characters (`*` alone: every event). A duration is a
 * whole number of minutes, hours, days, weeks, months or years. An event is kept under the most specific
 * policy that matches its action (a name without `*` first, then the longest pattern); actions no policy
 * matches are kept for ever.
 */
export type RetentionPolicies = Readonly<Record<string, string>>;

export interface RetentionOptions {
  /** Count what would be removed; remove nothing. */
  dryRun?: boolean;
  /** Events removed per transaction (default 1,000): each batch holds its locks briefly. */
  batchSize?: number;
  /**
   * Drop whole month partitions of the events table first where every event in them goes (default true;
   * nothing happens on an unpartitioned table). The rest goes row by row, as before.
   */
  partitions?: boolean;
}

/** What one policy removed (or, in a dry run, would remove). */
export interface RetentionOutcome {
  pattern: string;
  keep: string;
  /** Events older than this instant fall under the policy. */
  before: string;
  /** Every event removed (or that would be), those of the months dropped whole included. */
  removed: number;
  /** The month partitions (activity_events_pYYYYMM) dropped whole that held events of this policy. */
  months: string[];
}

const PATTERN = /^[A-Za-z0-9_.:*-]{1,100}$/;
const DURATION = /^(\d{1,6}) (minute|hour|day|week|month|year)s?$/;

interface Policy {
  pattern: string;
  keep: string;
  like: string;
}

/** The policies, most specific first; a malformed one is an `invalid_config` error naming it. */
export function parseRetentionPolicies(policies: RetentionPolicies): Policy[] {
  const parsed = Object.entries(policies).map(([pattern, keep]) => {
    if (!PATTERN.test(pattern)) {
      throw new ActivityError(
        "invalid_config",
        `Retention: "${pattern.slice(0, 100)}" is not an action or a pattern like "task.*".`,
      );
    }
    const duration = DURATION.exec(String(keep).trim());
    if (!duration || Number(duration[1]) === 0) {
      throw new ActivityError(
        "invalid_config",
        `Retention: "${String(keep).slice(0, 40)}" for "${pattern}" is not a duration like "90 days" or "2 years".`,
      );
    }
    // LIKE: `_` and `%` are wildcards there, and action names hold `_` (user.signed_in).
    const like = pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll("*", "%");
    return { pattern, keep: String(keep).trim(), like };
  });
  const literal = (p: Policy) => p.pattern.replaceAll("*", "").length;
  return parsed.sort(
    (a, b) =>
      Number(a.pattern.includes("*")) - Number(b.pattern.includes("*")) ||
      literal(b) - literal(a) ||
      (a.pattern < b.pattern ? -1 : 1),
  );
}

/**
 * Applies the policies (`npm run activity:retention`): removes the sequenced events each policy no longer
 * keeps, in batches of `batchSize`, each batch one call of the owner's routine `activity_retention_batch`
 * (its own transaction), which records every removal in `activity_removals` and keeps the seals. With
 * `dryRun`, counts them instead. On a partitioned events table, the months of which every event goes are
 * dropped whole first by `activity_retention_partitions`, which records them the same way (docs/partitions.md).
 */
export async function applyRetention(
  db: AnyDatabase,
  policies: RetentionPolicies,
  options: RetentionOptions = {},
): Promise<RetentionOutcome[]> {
  const batch = options.batchSize ?? 1_000;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new ActivityError("invalid_config", "Retention: batchSize must be a positive whole number.");
  }
  const ordered = parseRetentionPolicies(policies);
  const outcomes: RetentionOutcome[] = [];
  // One cut-off per policy for all its batches, from the database's clock.
  const cuts: string[] = [];
  for (const policy of ordered) {
    const [cut] = rowsOf<{ before: string }>(
      await db.execute(sql`select (now() - ${policy.keep}::interval)::text as before`),
    );
    cuts.push(cut!.before);
  }
  const labelOf = (policy: Policy) => `${policy.pattern} = ${policy.keep}`;
  // Whole months first (one statement, its own transaction): what they held is counted under its policy.
  // A dry run counts every event row by row anyway, so it only names the months.
  const byMonth = new Map<string, { removed: number; months: string[] }>();
  if (options.partitions !== false && ordered.length > 0) {
    const spec = ordered.map((policy, i) => ({
      n: i + 1,
      policy: labelOf(policy),
      pattern: policy.like,
      before: cuts[i],
    }));
    const rows = rowsOf<{ month: string; policy: string; removed: number | string }>(
      await db.execute(
        sql`select * from activity_retention_partitions(${JSON.stringify(spec)}::jsonb, ${options.dryRun === true})`,
      ),
    );
    for (const row of rows) {
      const entry = byMonth.get(row.policy) ?? { removed: 0, months: [] };
      entry.removed += Number(row.removed);
      entry.months.push(row.month);
      byMonth.set(row.policy, entry);
    }
  }
  for (const [i, policy] of ordered.entries()) {
    const except = `{${ordered
      .slice(0, i)
      .map((p) => `"${p.like.replace(/[\\"]/g, (c) => `\\${c}`)}"`)
      .join(",")}}`;
    const before = cuts[i]!;
    const label = labelOf(policy);
    const months = byMonth.get(label);
    let removed = options.dryRun ? 0 : (months?.removed ?? 0);
    let after = 0;
    for (;;) {
      const [row] = rowsOf<{ removed: number | string; last_id: number | string | null }>(
        await db.execute(sql`select * from activity_retention_batch(${label}, ${policy.like}, ${except}::text[],
          ${before}::timestamptz, ${after}::bigint, ${batch}::integer, ${options.dryRun === true})`),
      );
      const count = Number(row?.removed ?? 0);
      removed += count;
      if (options.dryRun || count < batch || row?.last_id == null) break;
      after = Number(row.last_id);
    }
    outcomes.push({ pattern: policy.pattern, keep: policy.keep, before, removed, months: months?.months ?? [] });
  }
  return outcomes;
}
