import { APPEND_ONLY_TABLES, OPTIONAL_LOG_TABLES } from "./privileged-sql";

export interface GrantOptions {
  /** Also let the role empty the log with `activity_reset` (a demo that re-seeds itself; never production). */
  allowReset?: boolean;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * The SQL that makes `role` (the app's database role, not the tables' owner) able to write and read the
 * activity log but never change or remove what it holds: INSERT and SELECT on the events, the sequence and
 * the seals; INSERT and UPDATE on the sequencer's own bookkeeping (heads, horizon); SELECT on the removals;
 * EXECUTE on the owner's retention and erasure routines, the only way to remove or erase. Run it as the
 * owner after every kit migration (it revokes first, so a blanket `GRANT ALL ON ALL TABLES` is undone for
 * the kit's tables). The guard trigger refuses UPDATE, DELETE and TRUNCATE to non-owners even if granted.
 */
export function activityGrantStatements(role: string, options: GrantOptions = {}): string[] {
  if (role.trim() === "") throw new Error("activityGrantStatements: name the app's role.");
  const r = quoteIdent(role);
  const statements = [
    `REVOKE ALL ON activity_events, activity_sequence, activity_removals, activity_heads, activity_sequencer FROM PUBLIC, ${r}`,
    `GRANT SELECT, INSERT ON activity_events, activity_sequence TO ${r}`,
    // The events' partitions: reached through activity_events only (a blanket grant is undone here too).
    `DO $grant$ DECLARE t text; BEGIN FOR t IN SELECT x.relid::text FROM pg_partition_tree(to_regclass('activity_events')) AS x WHERE x.level > 0 LOOP EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, %I', t, ${quoteLiteral(role)}); END LOOP; END $grant$`,
    `GRANT SELECT, INSERT, UPDATE ON activity_heads, activity_sequencer TO ${r}`,
    `GRANT SELECT ON activity_removals TO ${r}`,
    // withTracking reserves event ids (nested actions name their parent before it is stored).
    `DO $grant$ BEGIN EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', pg_get_serial_sequence('activity_events', 'id'), ${quoteLiteral(role)}); END $grant$`,
    // The chain's tables, where this kit has them: the sequencer only inserts.
    `DO $grant$ DECLARE t text; BEGIN FOREACH t IN ARRAY ARRAY[${OPTIONAL_LOG_TABLES.map(quoteLiteral).join(", ")}] LOOP IF to_regclass(t) IS NOT NULL THEN EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, %I', t, ${quoteLiteral(role)}); EXECUTE format('GRANT SELECT, INSERT ON %I TO %I', t, ${quoteLiteral(role)}); END IF; END LOOP; END $grant$`,
    `GRANT EXECUTE ON FUNCTION activity_retention_batch(text, text, text[], timestamptz, bigint, integer, boolean), activity_retention_partitions(jsonb, boolean), activity_erase(jsonb) TO ${r}`,
    // The sequencer's elected process keeps next months' partitions made (it only adds months).
    `GRANT EXECUTE ON FUNCTION activity_partitions_ensure(integer) TO ${r}`,
    options.allowReset
      ? `GRANT EXECUTE ON FUNCTION activity_reset(text) TO ${r}`
      : `REVOKE EXECUTE ON FUNCTION activity_reset(text) FROM ${r}`,
  ];
  return statements;
}

/** The grant block as a DBA runs it: `npx tsx lib/activity/cli.ts grants --role <app_role>`. */
export function activityGrantsSql(role: string, options: GrantOptions = {}): string {
  const header = [
    `-- activity-kit: append-only by privilege for the role ${role}.`,
    `-- Run as the owner of the kit's tables (the role that ran the migrations), after each kit migration.`,
    `-- The guarded tables: ${APPEND_ONLY_TABLES.join(", ")} (and ${OPTIONAL_LOG_TABLES.join(", ")} where present).`,
  ];
  return `${header.join("\n")}\n${activityGrantStatements(role, options)
    .map((s) => `${s};`)
    .join("\n")}\n`;
}
