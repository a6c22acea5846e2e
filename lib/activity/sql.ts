import type { AnyTrackedTable } from "./registry";

/**
 * The database side of the kit. Capture is done by statement-level AFTER triggers with transition tables:
 * one call per statement, whatever the number of rows, so bulk statements are captured row by row without
 * a call per row. Inside withTracking (`activity.mode = 'tracking'`) the captured rows are appended to a
 * transaction-local setting and the event insert folds them into its one row; outside it (raw SQL, a
 * script, another service) each changed row becomes an unattributed event of its own.
 */
const KIT_FUNCTIONS_SQL = /* sql */ `
CREATE OR REPLACE FUNCTION activity_diff(old_row jsonb, new_row jsonb, redacted text[], ignored text[])
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(jsonb_object_agg(n.key,
           CASE WHEN n.key = ANY (redacted) THEN '["[redacted]", "[redacted]"]'::jsonb
                ELSE jsonb_build_array(old_row -> n.key, n.value) END), '{}'::jsonb)
  FROM jsonb_each(new_row) AS n
  WHERE NOT (n.key = ANY (ignored)) AND (old_row -> n.key) IS DISTINCT FROM n.value
$fn$;

CREATE OR REPLACE FUNCTION activity_redact(r jsonb, redacted text[])
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN cardinality(redacted) = 0 THEN r ELSE
    (SELECT jsonb_object_agg(key, CASE WHEN key = ANY (redacted) THEN '"[redacted]"'::jsonb ELSE value END)
     FROM jsonb_each(r)) END
$fn$;

CREATE OR REPLACE FUNCTION activity_record(captured jsonb)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF captured IS NULL THEN
    RETURN;
  END IF;
  IF current_setting('activity.mode', true) = 'tracking' THEN
    PERFORM set_config('activity.changes',
      (coalesce(nullif(current_setting('activity.changes', true), ''), '[]')::jsonb || captured)::text, true);
    RETURN;
  END IF;
  INSERT INTO activity_events (workspace_id, actor_type, actor_id, actor_label, action, subject,
                               record_type, record_id, changes, request_id, ip, user_agent, unattributed)
  SELECT c ->> 'workspace',
         coalesce(nullif(current_setting('activity.actor_type', true), ''), 'database'),
         nullif(current_setting('activity.actor_id', true), ''),
         coalesce(nullif(current_setting('activity.actor_label', true), ''), session_user::text),
         c ->> 'op',
         (c ->> 'type') || ' ' || left(coalesce(c ->> 'label', c ->> 'id'), 120),
         c ->> 'type',
         c ->> 'id',
         jsonb_build_array(c - 'workspace' - 'label' - 'depth'),
         nullif(current_setting('activity.request_id', true), ''),
         nullif(current_setting('activity.ip', true), ''),
         nullif(current_setting('activity.user_agent', true), ''),
         true
  FROM jsonb_array_elements(captured) AS c;
END
$fn$;

-- Trigger arguments: record type, primary key column, workspace column, label column ('' for none),
-- redacted columns and ignored columns (text[] literals).
CREATE OR REPLACE FUNCTION activity_capture_insert()
RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  captured jsonb;
BEGIN
  IF current_setting('activity.mode', true) = 'skip' THEN
    RETURN NULL;
  END IF;
  SELECT jsonb_agg(jsonb_build_object('type', TG_ARGV[0], 'id', r.j ->> TG_ARGV[1], 'op', 'insert',
           'workspace', r.j ->> TG_ARGV[2], 'label', r.j ->> TG_ARGV[3], 'depth', pg_trigger_depth(),
           'row', activity_redact(r.j, TG_ARGV[4]::text[])))
    INTO captured
    FROM (SELECT to_jsonb(t) AS j FROM new_rows AS t) AS r;
  PERFORM activity_record(captured);
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION activity_capture_delete()
RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  captured jsonb;
BEGIN
  IF current_setting('activity.mode', true) = 'skip' THEN
    RETURN NULL;
  END IF;
  SELECT jsonb_agg(jsonb_build_object('type', TG_ARGV[0], 'id', r.j ->> TG_ARGV[1], 'op', 'delete',
           'workspace', r.j ->> TG_ARGV[2], 'label', r.j ->> TG_ARGV[3], 'depth', pg_trigger_depth(),
           'row', activity_redact(r.j, TG_ARGV[4]::text[])))
    INTO captured
    FROM (SELECT to_jsonb(t) AS j FROM old_rows AS t) AS r;
  PERFORM activity_record(captured);
  RETURN NULL;
END
$fn$;

-- Rows are paired by primary key; an update that changes the primary key itself is not paired.
CREATE OR REPLACE FUNCTION activity_capture_update()
RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  captured jsonb;
BEGIN
  IF current_setting('activity.mode', true) = 'skip' THEN
    RETURN NULL;
  END IF;
  SELECT jsonb_agg(jsonb_build_object('type', TG_ARGV[0], 'id', n.j ->> TG_ARGV[1], 'op', 'update',
           'workspace', n.j ->> TG_ARGV[2], 'label', n.j ->> TG_ARGV[3], 'depth', pg_trigger_depth(),
           'changes', d.diff))
    INTO captured
    FROM (SELECT to_jsonb(t) AS j FROM old_rows AS t) AS o
    JOIN (SELECT to_jsonb(t) AS j FROM new_rows AS t) AS n ON (o.j -> TG_ARGV[1]) = (n.j -> TG_ARGV[1])
    CROSS JOIN LATERAL (SELECT activity_diff(o.j, n.j, TG_ARGV[4]::text[], TG_ARGV[5]::text[]) AS diff) AS d
   WHERE d.diff <> '{}'::jsonb;
  PERFORM activity_record(captured);
  RETURN NULL;
END
$fn$;

-- Events are append-only. The retention and erasure routines set activity.maintenance for their
-- own transaction; nothing else may change or remove an event.
CREATE OR REPLACE FUNCTION activity_events_guard()
RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF current_setting('activity.maintenance', true) = 'on' THEN
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION 'activity_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$fn$;

DROP TRIGGER IF EXISTS activity_events_append_only ON activity_events;
CREATE TRIGGER activity_events_append_only BEFORE UPDATE OR DELETE ON activity_events
  FOR EACH ROW EXECUTE FUNCTION activity_events_guard();
DROP TRIGGER IF EXISTS activity_events_no_truncate ON activity_events;
CREATE TRIGGER activity_events_no_truncate BEFORE TRUNCATE ON activity_events
  FOR EACH STATEMENT EXECUTE FUNCTION activity_events_guard();
`;

/**
 * The kit's functions and the events table's guard, one statement each (migrations run them one by one).
 * Blocks are separated by blank lines; a block without a function body may hold several statements.
 */
export function kitFunctionStatements(): string[] {
  return KIT_FUNCTIONS_SQL.trim()
    .split(/\n\s*\n/)
    .flatMap((block) => (block.includes("$fn$") ? [block] : block.split(/;\n/)))
    .map((statement) =>
      statement
        .replace(/^(--.*\n)+/, "")
        .trim()
        .replace(/;$/, ""),
    )
    .filter((statement) => statement !== "");
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;
/** A PostgreSQL array literal: `{"a","b"}`. */
const pgArray = (values: string[]) =>
  `{${values.map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;

/** The trigger names of a tracked table, one per captured operation. */
export function triggerName(table: Pick<AnyTrackedTable, "tableName">, operation: string): string {
  return `activity_capture_${operation}_${table.tableName}`.slice(0, 63);
}

/** The arguments a table's triggers are created with (compared by the coverage check). */
export function triggerArguments(table: AnyTrackedTable, operation: string): string[] {
  const base = [
    table.type,
    table.primaryKey,
    table.workspaceColumn,
    table.labelColumn ?? "",
    pgArray(table.redactColumns),
  ];
  return operation === "update" ? [...base, pgArray(table.ignoreColumns)] : base;
}

/** CREATE TRIGGER statements for one tracked table (dropping older versions first). */
export function tableTriggerStatements(table: AnyTrackedTable): string[] {
  const lines: string[] = [];
  for (const operation of ["insert", "update", "delete"] as const) {
    const name = quoteIdent(triggerName(table, operation));
    lines.push(`DROP TRIGGER IF EXISTS ${name} ON ${quoteIdent(table.tableName)}`);
    if (!table.operations.includes(operation)) continue;
    const transition =
      operation === "insert"
        ? "REFERENCING NEW TABLE AS new_rows"
        : operation === "delete"
          ? "REFERENCING OLD TABLE AS old_rows"
          : "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows";
    const args = triggerArguments(table, operation).map(quoteLiteral);
    lines.push(
      `CREATE TRIGGER ${name} AFTER ${operation.toUpperCase()} ON ${quoteIdent(table.tableName)}\n` +
        `  ${transition} FOR EACH STATEMENT EXECUTE FUNCTION activity_capture_${operation}(${args.join(", ")})`,
    );
  }
  return lines;
}

/**
 * When the host deletes a user, their events keep the actor label and lose the link (like ON DELETE SET
 * NULL), through the erasure path of the append-only guard.
 */
export function actorErasureStatements(usersTable: string, idColumn: string): string[] {
  const fn = quoteIdent(`activity_forget_actor_${usersTable}`.slice(0, 63));
  return [
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('activity.maintenance', 'on', true);
  UPDATE activity_events SET actor_id = NULL
   WHERE actor_type = 'user' AND actor_id = (OLD.${quoteIdent(idColumn)})::text;
  PERFORM set_config('activity.maintenance', '', true);
  RETURN OLD;
END
$fn$`,
    `DROP TRIGGER IF EXISTS activity_forget_actor ON ${quoteIdent(usersTable)}`,
    `CREATE TRIGGER activity_forget_actor AFTER DELETE ON ${quoteIdent(usersTable)}
  FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
  ];
}
