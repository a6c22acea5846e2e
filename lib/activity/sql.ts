import { pgArray } from "./pg-array";
import type { AnyTrackedTable } from "./registry";

/**
 * The database side of the kit, as plpgsql functions: their statements' plans are cached per connection,
 * so the write path parses and plans almost nothing per call.
 *
 * Capture is a row-level AFTER trigger on each tracked table. Inside withTracking (`activity.mode =
 * 'tracking'`) it appends the row's change to a transaction-local setting, and the one event row the action
 * stores takes them all: an action that changes one row writes one event row. Outside withTracking (raw
 * SQL, a script, another service) each changed row becomes an unattributed event of its own.
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

-- Trigger arguments: record type, primary key column, workspace column, label column ('' for none),
-- redacted columns and ignored columns (text[] literals).
CREATE OR REPLACE FUNCTION activity_capture()
RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  mode text := current_setting('activity.mode', true);
  r jsonb;
  diff jsonb;
  change jsonb;
  chunk int;
  pending text;
BEGIN
  IF mode = 'skip' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    r := to_jsonb(NEW);
    diff := activity_diff(to_jsonb(OLD), r, TG_ARGV[4]::text[], TG_ARGV[5]::text[]);
    IF diff = '{}'::jsonb THEN
      RETURN NULL;
    END IF;
    change := jsonb_build_object('type', TG_ARGV[0], 'id', r ->> TG_ARGV[1], 'op', 'update', 'changes', diff);
  ELSE
    r := CASE TG_OP WHEN 'INSERT' THEN to_jsonb(NEW) ELSE to_jsonb(OLD) END;
    change := jsonb_build_object('type', TG_ARGV[0], 'id', r ->> TG_ARGV[1], 'op', lower(TG_OP),
                                 'row', activity_redact(r, TG_ARGV[4]::text[]));
  END IF;
  IF mode = 'tracking' THEN
    -- Appended as text, without re-parsing what is there, into chunks of at most 64 kB: each append then
    -- copies one chunk, so a statement changing many rows costs time in proportion to their number. The
    -- depth tells a cascade from the statement that caused it.
    chunk := coalesce(nullif(current_setting('activity.chunk', true), ''), '0')::int;
    pending := coalesce(current_setting('activity.changes_' || chunk, true), '');
    IF length(pending) > 65536 THEN
      chunk := chunk + 1;
      pending := '';
      PERFORM set_config('activity.chunk', chunk::text, true);
    END IF;
    PERFORM set_config('activity.changes_' || chunk,
      CASE WHEN pending = '' THEN '' ELSE pending || ',' END
        || (change || jsonb_build_object('depth', pg_trigger_depth()))::text, true);
    RETURN NULL;
  END IF;
  INSERT INTO activity_events (workspace_id, actor_type, actor_id, actor_label, action, subject,
                               record_type, record_id, changes, request_id, ip, user_agent, unattributed)
  VALUES (r ->> TG_ARGV[2],
          coalesce(nullif(current_setting('activity.actor_type', true), ''), 'database'),
          nullif(current_setting('activity.actor_id', true), ''),
          coalesce(nullif(current_setting('activity.actor_label', true), ''), session_user::text),
          lower(TG_OP),
          TG_ARGV[0] || ' ' || left(coalesce(r ->> nullif(TG_ARGV[3], ''), r ->> TG_ARGV[1]), 120),
          TG_ARGV[0],
          r ->> TG_ARGV[1],
          jsonb_build_array(change),
          nullif(current_setting('activity.request_id', true), ''),
          nullif(current_setting('activity.ip', true), ''),
          nullif(current_setting('activity.user_agent', true), ''),
          true);
  RETURN NULL;
END
$fn$;

-- withTracking's first statement: the actor and request as transaction-local settings (safe behind
-- PgBouncer), and capture switched to collecting. One jsonb argument: a statement with many parameters
-- costs the client far more than one.
CREATE OR REPLACE FUNCTION activity_begin(p jsonb)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('activity.mode', 'tracking', true), set_config('activity.chunk', '0', true),
          set_config('activity.changes_0', '', true),
          set_config('activity.actor_type', p ->> 'actorType', true),
          set_config('activity.actor_id', coalesce(p ->> 'actorId', ''), true),
          set_config('activity.actor_label', p ->> 'actorLabel', true),
          set_config('activity.request_id', coalesce(p ->> 'requestId', ''), true),
          set_config('activity.ip', coalesce(p ->> 'ip', ''), true),
          set_config('activity.user_agent', coalesce(p ->> 'userAgent', ''), true);
END
$fn$;

-- withTracking's last statement: the one event row, with every change captured since activity_begin.
-- The record is the one given, or the change made by the action's own statements (smallest trigger
-- depth; a cascade is deeper), preferring the id the action returned. Returns null when an update
-- changed nothing: then nothing is stored.
CREATE OR REPLACE FUNCTION activity_store_event(p jsonb)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  chunks int := coalesce(nullif(current_setting('activity.chunk', true), ''), '0')::int;
  captured jsonb;
  chosen jsonb;
  related jsonb := coalesce(p -> 'related', '[]'::jsonb);
  record_type text := p ->> 'recordType';
  record_id text := p ->> 'recordId';
  event_id bigint;
BEGIN
  SELECT ('[' || coalesce(string_agg(nullif(current_setting('activity.changes_' || i, true), ''), ',' ORDER BY i), '')
          || ']')::jsonb
    INTO captured
    FROM generate_series(0, chunks) AS i;
  PERFORM set_config('activity.mode', '', true), set_config('activity.chunk', '', true);
  PERFORM set_config('activity.changes_' || i, '', true) FROM generate_series(0, chunks) AS i;
  IF p ->> 'action' = 'update' AND jsonb_array_length(captured) = 0 THEN
    RETURN NULL;
  END IF;
  IF record_type IS NULL THEN
    SELECT e INTO chosen FROM jsonb_array_elements(captured) WITH ORDINALITY AS x(e, n)
     ORDER BY (e ->> 'depth')::int, (e ->> 'id') IS NOT DISTINCT FROM (p ->> 'hintId') DESC, n
     LIMIT 1;
    record_type := chosen ->> 'type';
    record_id := chosen ->> 'id';
  END IF;
  INSERT INTO activity_events (workspace_id, occurred_at, actor_type, actor_id, actor_label, action, subject,
                               record_type, record_id, related, refs, changes, metadata,
                               request_id, ip, user_agent)
  VALUES (p ->> 'workspaceId', coalesce((p ->> 'occurredAt')::timestamptz, now()), p ->> 'actorType',
          p ->> 'actorId', p ->> 'actorLabel', p ->> 'action', p ->> 'subject', record_type, record_id, related,
          ARRAY(SELECT DISTINCT k FROM (
                  SELECT (e ->> 'type') || ':' || (e ->> 'id') AS k FROM jsonb_array_elements(captured) AS e
                  UNION ALL
                  SELECT (r ->> 'type') || ':' || (r ->> 'id') FROM jsonb_array_elements(related) AS r
                ) AS keys
                WHERE k IS DISTINCT FROM record_type || ':' || record_id ORDER BY k),
          (SELECT coalesce(jsonb_agg(e - 'depth' ORDER BY n), '[]'::jsonb)
             FROM jsonb_array_elements(captured) WITH ORDINALITY AS x(e, n)),
          coalesce(p -> 'metadata', '{}'::jsonb), p ->> 'requestId', p ->> 'ip', p ->> 'userAgent')
  RETURNING id INTO event_id;
  RETURN event_id;
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

/** The trigger names of a tracked table, one per captured operation. */
export function triggerName(table: Pick<AnyTrackedTable, "tableName">, operation: string): string {
  return `activity_capture_${operation}_${table.tableName}`.slice(0, 63);
}

/** The arguments a table's triggers are created with (compared by the coverage check). */
export function triggerArguments(table: AnyTrackedTable): string[] {
  return [
    table.type,
    table.primaryKey,
    table.workspaceColumn,
    table.labelColumn ?? "",
    pgArray(table.redactColumns),
    pgArray(table.ignoreColumns),
  ];
}

/** CREATE TRIGGER statements for one tracked table (dropping older versions first). */
export function tableTriggerStatements(table: AnyTrackedTable): string[] {
  const lines: string[] = [];
  const args = triggerArguments(table).map(quoteLiteral).join(", ");
  for (const operation of ["insert", "update", "delete"] as const) {
    const name = quoteIdent(triggerName(table, operation));
    lines.push(`DROP TRIGGER IF EXISTS ${name} ON ${quoteIdent(table.tableName)}`);
    if (!table.operations.includes(operation)) continue;
    lines.push(
      `CREATE TRIGGER ${name} AFTER ${operation.toUpperCase()} ON ${quoteIdent(table.tableName)}\n` +
        `  FOR EACH ROW EXECUTE FUNCTION activity_capture(${args})`,
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
