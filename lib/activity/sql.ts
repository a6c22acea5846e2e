import { SQL_TEXT_DIGEST } from "./canonical";
import { pgArray } from "./pg-array";
import { PRIVILEGED_SQL } from "./privileged-sql";
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
/**
 * The transaction-local settings withTracking makes first (safe behind PgBouncer): the actor and the
 * request, where database code can read them, and capture switched to collecting. `p` is a jsonb
 * expression with actorType, actorId, actorLabel, requestId, ip and userAgent.
 */
const beginSettings = (p: string) =>
  [
    "set_config('activity.mode', 'tracking', true)",
    "set_config('activity.chunk', '0', true)",
    "set_config('activity.changes_0', '', true)",
    `set_config('activity.actor_type', ${p} ->> 'actorType', true)`,
    `set_config('activity.actor_id', coalesce(${p} ->> 'actorId', ''), true)`,
    `set_config('activity.actor_label', ${p} ->> 'actorLabel', true)`,
    `set_config('activity.request_id', coalesce(${p} ->> 'requestId', ''), true)`,
    `set_config('activity.ip', coalesce(${p} ->> 'ip', ''), true)`,
    `set_config('activity.user_agent', coalesce(${p} ->> 'userAgent', ''), true)`,
  ].join(",\n          ");

/**
 * withTracking's first statement, with its one jsonb parameter. A plain statement rather than a call of
 * activity_begin: prepared once per connection, it skips a function call on every transaction.
 */
export const BEGIN_STATEMENT = `select ${beginSettings("p")} from (select $1::jsonb as p) as args`;

/** withTracking's last statement before COMMIT: the event, from one jsonb parameter. */
export const STORE_EVENT_STATEMENT = "select activity_store_event($1::jsonb)";

/** The first statement of `track: false`: capture off for this transaction. */
export const SKIP_STATEMENT = "select set_config('activity.mode', 'skip', true)";

/**
 * A tracked action nested in a transaction that is already open (another tracked action's, or the
 * host's): the first statement of its savepoint, with the same jsonb parameter as BEGIN_STATEMENT.
 */
export const NESTED_BEGIN_STATEMENT = "select activity_enter($1::jsonb)";

/** The nested action's last statement before its savepoint is released: its event, then the outer's settings back. */
export const NESTED_STORE_EVENT_STATEMENT = "select activity_store_nested($1::jsonb)";

/** `track: false` nested in an open transaction: first statement of its savepoint. */
export const NESTED_SKIP_STATEMENT = "select activity_enter(null)";

/** `track: false` nested: the last statement of its savepoint (the outer's settings back). */
export const NESTED_LEAVE_STATEMENT = "select activity_leave()";

const KIT_FUNCTIONS_SQL = /* sql */ `
CREATE OR REPLACE FUNCTION activity_diff(old_row jsonb, new_row jsonb, redacted text[], ignored text[])
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  -- plpgsql, not sql: PostgreSQL before 18 plans a sql function's body anew in every transaction.
  RETURN (SELECT coalesce(jsonb_object_agg(n.key,
            CASE WHEN n.key = ANY (redacted) THEN '["[redacted]", "[redacted]"]'::jsonb
                 ELSE jsonb_build_array(old_row -> n.key, n.value) END), '{}'::jsonb)
          FROM jsonb_each(new_row) AS n
          WHERE NOT (n.key = ANY (ignored)) AND (old_row -> n.key) IS DISTINCT FROM n.value);
END
$fn$;

CREATE OR REPLACE FUNCTION activity_redact(r jsonb, redacted text[])
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF cardinality(redacted) = 0 THEN
    RETURN r;
  END IF;
  RETURN (SELECT jsonb_object_agg(key, CASE WHEN key = ANY (redacted) THEN '"[redacted]"'::jsonb ELSE value END)
          FROM jsonb_each(r));
END
$fn$;

-- Trigger arguments: record type, primary key column, workspace column ('' for a table without a
-- tenant: its unattributed events get workspace ''), label column ('' for none), redacted columns and
-- ignored columns (text[] literals).
--
-- Written for the common case, an action that changes one row: plpgsql prepares each expression of a
-- function anew in every transaction, so the path a tracked insert takes evaluates as few as it can.
-- Inside withTracking (mode 'tracking') the change is appended as JSON text to a transaction-local
-- setting; activity_store_event folds what was collected into the event. An insert or delete names its
-- primary key column ("key") rather than repeating the id, which the event's change gets when it is stored.
-- Chunks of about 4 kB: each append copies its chunk, so small chunks keep a row's cost the same however
-- many rows the statement changes (64 kB chunks made one UPDATE of 20,000 rows about twice as slow). The depth tells a cascade from the statement that caused it.
CREATE OR REPLACE FUNCTION activity_capture()
RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  mode text := current_setting('activity.mode', true);
  diff jsonb;
  change text;
  chunk text;
  r jsonb;
BEGIN
  IF mode = 'skip' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    change := json_build_object('type', TG_ARGV[0], 'key', TG_ARGV[1], 'op', 'insert', 'depth', pg_trigger_depth(),
      'row', CASE WHEN TG_ARGV[4] = '{}' THEN row_to_json(NEW)
                  ELSE activity_redact(to_jsonb(NEW), TG_ARGV[4]::text[])::json END)::text;
  ELSIF TG_OP = 'DELETE' THEN
    change := json_build_object('type', TG_ARGV[0], 'key', TG_ARGV[1], 'op', 'delete', 'depth', pg_trigger_depth(),
      'row', CASE WHEN TG_ARGV[4] = '{}' THEN row_to_json(OLD)
                  ELSE activity_redact(to_jsonb(OLD), TG_ARGV[4]::text[])::json END)::text;
  ELSE
    diff := activity_diff(to_jsonb(OLD), to_jsonb(NEW), TG_ARGV[4]::text[], TG_ARGV[5]::text[]);
    IF diff = '{}'::jsonb THEN
      RETURN NULL;
    END IF;
    change := json_build_object('type', TG_ARGV[0], 'id', row_to_json(NEW) ->> TG_ARGV[1], 'op', 'update',
      'depth', pg_trigger_depth(), 'changes', diff)::text;
  END IF;
  IF mode = 'tracking' THEN
    chunk := 'activity.changes_' || coalesce(nullif(current_setting('activity.chunk', true), ''), '0');
    IF length(set_config(chunk, coalesce(nullif(current_setting(chunk, true), '') || ',', '') || change, true))
       > 4096 THEN
      PERFORM set_config('activity.chunk',
        (coalesce(nullif(current_setting('activity.chunk', true), ''), '0')::int + 1)::text, true);
    END IF;
    RETURN NULL;
  END IF;
  -- Outside withTracking: an unattributed event of its own.
  r := to_jsonb(CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END);
  INSERT INTO activity_events (workspace_id, actor_type, actor_id, actor_label, action, subject,
                               record_type, record_id, changes, request_id, ip, user_agent, unattributed)
  VALUES (coalesce(r ->> nullif(TG_ARGV[2], ''), ''),
          coalesce(nullif(current_setting('activity.actor_type', true), ''), 'database'),
          nullif(current_setting('activity.actor_id', true), ''),
          coalesce(nullif(current_setting('activity.actor_label', true), ''), session_user::text),
          lower(TG_OP),
          TG_ARGV[0] || ' ' || left(coalesce(r ->> nullif(TG_ARGV[3], ''), r ->> TG_ARGV[1]), 120),
          TG_ARGV[0],
          r ->> TG_ARGV[1],
          jsonb_build_array(change::jsonb - 'key' - 'depth' || jsonb_build_object('id', r ->> TG_ARGV[1])),
          nullif(current_setting('activity.request_id', true), ''),
          nullif(current_setting('activity.ip', true), ''),
          nullif(current_setting('activity.user_agent', true), ''),
          true);
  RETURN NULL;
END
$fn$;

-- What withTracking's first statement does, for a client of its own (another service, a script) that
-- wants its writes attributed: the actor and request as settings, and capture switched to collecting.
CREATE OR REPLACE FUNCTION activity_begin(p jsonb)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM ${beginSettings("p")};
END
$fn$;

-- Nesting. A tracked action that runs inside an open transaction (another tracked action's, or the host's)
-- enters a level of its own, in a savepoint: the settings it replaces are saved in activity.saved_<depth>
-- and put back when it has stored its event (a released savepoint keeps its settings; one rolled back
-- restores them by itself). Its changes go to chunks of its own, from activity.start on, which its event
-- takes and empties, so the outer event keeps only the outer's changes. The first nested action of a
-- tracked level reserves that level's event id (activity.event_id), so each inner event can name its
-- parent (metadata.parentEventId) before the parent is stored.
--
-- p is withTracking's jsonb (actor and request), or null for track: false, which inside a tracked level
-- changes nothing (its changes stay the enclosing action's) and elsewhere switches capture off.
CREATE OR REPLACE FUNCTION activity_enter(p jsonb)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  mode text := coalesce(current_setting('activity.mode', true), '');
  depth int := coalesce(nullif(current_setting('activity.depth', true), ''), '0')::int + 1;
  chunk int;
  parent text;
BEGIN
  IF p IS NULL THEN
    PERFORM set_config('activity.saved_' || depth, json_build_object('mode', mode)::text, true),
            set_config('activity.depth', depth::text, true),
            set_config('activity.mode', CASE mode WHEN 'tracking' THEN mode ELSE 'skip' END, true);
    RETURN;
  END IF;
  IF mode = 'tracking' THEN
    parent := coalesce(nullif(current_setting('activity.event_id', true), ''),
                       nextval(pg_get_serial_sequence('activity_events', 'id'))::text);
  END IF;
  chunk := coalesce(nullif(current_setting('activity.chunk', true), ''), '-1')::int + 1;
  PERFORM set_config('activity.saved_' || depth, json_build_object(
            'mode', mode,
            'start', current_setting('activity.start', true),
            'event_id', parent,
            'actor_type', current_setting('activity.actor_type', true),
            'actor_id', current_setting('activity.actor_id', true),
            'actor_label', current_setting('activity.actor_label', true),
            'request_id', current_setting('activity.request_id', true),
            'ip', current_setting('activity.ip', true),
            'user_agent', current_setting('activity.user_agent', true))::text, true),
          set_config('activity.depth', depth::text, true),
          set_config('activity.event_id', '', true),
          set_config('activity.start', chunk::text, true),
          set_config('activity.chunk', chunk::text, true),
          set_config('activity.changes_' || chunk, '', true),
          set_config('activity.mode', 'tracking', true),
          set_config('activity.actor_type', p ->> 'actorType', true),
          set_config('activity.actor_id', coalesce(p ->> 'actorId', ''), true),
          set_config('activity.actor_label', p ->> 'actorLabel', true),
          set_config('activity.request_id', coalesce(p ->> 'requestId', ''), true),
          set_config('activity.ip', coalesce(p ->> 'ip', ''), true),
          set_config('activity.user_agent', coalesce(p ->> 'userAgent', ''), true);
END
$fn$;

-- Leaves the innermost nested level: the settings it replaced are put back (the chunk counter is not:
-- the outer level goes on after the chunks the inner one used).
CREATE OR REPLACE FUNCTION activity_leave()
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  depth int := current_setting('activity.depth')::int;
BEGIN
  PERFORM set_config('activity.' || key, coalesce(value, ''), true)
     FROM jsonb_each_text(current_setting('activity.saved_' || depth)::jsonb);
  PERFORM set_config('activity.depth', (depth - 1)::text, true);
END
$fn$;

-- The changes captured by the current level: its chunks, from activity.start on (emptied ones skipped).
-- With \`take\`, the chunks are emptied, so no enclosing level takes them too.
CREATE OR REPLACE FUNCTION activity_collect(take boolean)
RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  first_chunk int := coalesce(nullif(current_setting('activity.start', true), ''), '0')::int;
  last_chunk int := coalesce(nullif(current_setting('activity.chunk', true), ''), '0')::int;
  captured jsonb;
BEGIN
  SELECT ('[' || coalesce(string_agg(nullif(current_setting('activity.changes_' || i, true), ''), ',' ORDER BY i), '')
          || ']')::jsonb
    INTO captured
    FROM generate_series(first_chunk, last_chunk) AS i;
  IF take THEN
    PERFORM set_config('activity.changes_' || i, '', true) FROM generate_series(first_chunk, last_chunk) AS i;
  END IF;
  RETURN captured;
END
$fn$;

-- A nested action's event: its own changes, its parent's reserved id in metadata.parentEventId, its own
-- reserved id when actions nested in it took one; then the enclosing level's settings back.
CREATE OR REPLACE FUNCTION activity_store_nested(p jsonb)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  saved jsonb := current_setting('activity.saved_' || current_setting('activity.depth'))::jsonb;
  event_id bigint;
BEGIN
  IF saved ->> 'event_id' IS NOT NULL THEN
    p := jsonb_set(p, '{metadata}', coalesce(p -> 'metadata', '{}'::jsonb)
                                    || jsonb_build_object('parentEventId', saved ->> 'event_id'));
  END IF;
  IF nullif(current_setting('activity.event_id', true), '') IS NOT NULL THEN
    p := p || jsonb_build_object('eventId', current_setting('activity.event_id'));
  END IF;
  event_id := activity_store_changes(p, activity_collect(true));
  PERFORM activity_leave();
  RETURN event_id;
END
$fn$;

-- One event row from its fields (p) and the captured changes (a JSON array, in capture order). The
-- record is the one given, or the change made by the action's own statements (smallest trigger depth;
-- a cascade is deeper), preferring the id the action returned. \`refs\` (a text[] literal in p) holds
-- the related records' keys; the event's refs are those and every changed record's, distinct and sorted,
-- without the event's own record.
CREATE OR REPLACE FUNCTION activity_store_changes(p jsonb, captured jsonb)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  chosen jsonb;
  record_type text := p ->> 'recordType';
  record_id text := p ->> 'recordId';
  refs text[];
  event_id bigint;
BEGIN
  -- An update that changed nothing stores nothing, unless actions nested in it stored events (eventId,
  -- reserved for it, is their parent).
  IF jsonb_array_length(captured) = 0 AND p ->> 'action' = 'update' AND NOT p ? 'eventId' THEN
    RETURN NULL;
  END IF;
  -- Each change gets its id (an insert or a delete named its key column) and loses the capture depth.
  SELECT jsonb_agg(e - 'key' - 'depth' || jsonb_build_object('id', coalesce(e ->> 'id', e -> 'row' ->> (e ->> 'key')))
                   ORDER BY n),
         (array_agg(jsonb_build_object('type', e ->> 'type', 'id', coalesce(e ->> 'id', e -> 'row' ->> (e ->> 'key')))
                    ORDER BY (e ->> 'depth')::int,
                             coalesce(e ->> 'id', e -> 'row' ->> (e ->> 'key')) IS NOT DISTINCT FROM (p ->> 'hintId') DESC,
                             n)
           FILTER (WHERE record_type IS NULL))[1]
    INTO captured, chosen
    FROM jsonb_array_elements(captured) WITH ORDINALITY AS x(e, n);
  IF record_type IS NULL THEN
    record_type := chosen ->> 'type';
    record_id := chosen ->> 'id';
  END IF;
  refs := ARRAY(SELECT DISTINCT k FROM (
                  SELECT unnest(coalesce((p ->> 'refs')::text[], '{}')) AS k
                  UNION ALL
                  SELECT (e ->> 'type') || ':' || (e ->> 'id') FROM jsonb_array_elements(captured) AS e
                ) AS keys
                WHERE k IS DISTINCT FROM record_type || ':' || record_id ORDER BY k);
  INSERT INTO activity_events (id, workspace_id, occurred_at, actor_type, actor_id, actor_label, action, subject,
                               record_type, record_id, related, refs, changes, metadata,
                               request_id, ip, user_agent)
  OVERRIDING SYSTEM VALUE
  VALUES (coalesce((p ->> 'eventId')::bigint, nextval(pg_get_serial_sequence('activity_events', 'id'))),
          p ->> 'workspaceId', coalesce((p ->> 'occurredAt')::timestamptz, now()), p ->> 'actorType',
          p ->> 'actorId', p ->> 'actorLabel', p ->> 'action', p ->> 'subject', record_type, record_id,
          coalesce(p -> 'related', '[]'::jsonb), refs, coalesce(captured, '[]'::jsonb),
          coalesce(p -> 'metadata', '{}'::jsonb), p ->> 'requestId', p ->> 'ip', p ->> 'userAgent')
  RETURNING id INTO event_id;
  RETURN event_id;
END
$fn$;

-- withTracking's last statement: the one event row, with every change captured since activity_begin.
-- Returns null when an update changed nothing: then nothing is stored. The common case, one changed row
-- and no record given, takes a path of its own: a handful of expressions and the insert.
CREATE OR REPLACE FUNCTION activity_store_event(p jsonb)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  captured jsonb;
  c jsonb;
  event_id bigint;
BEGIN
  PERFORM set_config('activity.mode', '', true);
  IF coalesce(nullif(current_setting('activity.chunk', true), ''), '0') <> '0' THEN
    -- Many changes, or nested actions ran (they took chunks of their own, and may have reserved this
    -- event's id).
    IF nullif(current_setting('activity.event_id', true), '') IS NOT NULL THEN
      p := p || jsonb_build_object('eventId', current_setting('activity.event_id'));
    END IF;
    RETURN activity_store_changes(p, activity_collect(false));
  END IF;
  captured := ('[' || coalesce(current_setting('activity.changes_0', true), '') || ']')::jsonb;
  IF jsonb_array_length(captured) = 0 AND p ->> 'action' = 'update' THEN
    RETURN NULL;
  END IF;
  IF jsonb_array_length(captured) <> 1 OR p ? 'recordType' THEN
    RETURN activity_store_changes(p, captured);
  END IF;
  c := captured -> 0;
  c := c - 'key' - 'depth' || jsonb_build_object('id', coalesce(c ->> 'id', c -> 'row' ->> (c ->> 'key')));
  INSERT INTO activity_events (workspace_id, occurred_at, actor_type, actor_id, actor_label, action, subject,
                               record_type, record_id, related, refs, changes, metadata,
                               request_id, ip, user_agent)
  VALUES (p ->> 'workspaceId', coalesce((p ->> 'occurredAt')::timestamptz, now()), p ->> 'actorType',
          p ->> 'actorId', p ->> 'actorLabel', p ->> 'action', p ->> 'subject', c ->> 'type', c ->> 'id',
          coalesce(p -> 'related', '[]'::jsonb),
          array_remove(coalesce((p ->> 'refs')::text[], '{}'), (c ->> 'type') || ':' || (c ->> 'id')),
          jsonb_build_array(c), coalesce(p -> 'metadata', '{}'::jsonb), p ->> 'requestId', p ->> 'ip',
          p ->> 'userAgent')
  RETURNING id INTO event_id;
  RETURN event_id;
END
$fn$;

${PRIVILEGED_SQL}
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
    table.workspaceColumn ?? "",
    table.labelColumn ?? "",
    pgArray(table.redactColumns),
    pgArray(table.ignoreColumns),
  ];
}

/**
 * The capture triggers' condition: with capture switched off (`track: false`, the kit's own maintenance)
 * a changed row queues no trigger call at all, rather than a call that returns at once.
 */
const CAPTURE_WHEN = "current_setting('activity.mode', true) IS DISTINCT FROM 'skip'";

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
        `  FOR EACH ROW WHEN (${CAPTURE_WHEN}) EXECUTE FUNCTION activity_capture(${args})`,
    );
  }
  return lines;
}

/**
 * When the host deletes a user, their events keep the actor label and lose the link (like ON DELETE SET
 * NULL): a SECURITY DEFINER function (it runs as the events' owner, the only role the append-only guard lets
 * change them) that records the id's digest in `erased`, so the chain still verifies, and each event it
 * changed in activity_removals.
 */
export function actorErasureStatements(usersTable: string, idColumn: string): string[] {
  const fn = quoteIdent(`activity_forget_actor_${usersTable}`.slice(0, 63));
  return [
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
BEGIN
  WITH forgotten AS (
    UPDATE activity_events
       SET actor_id = NULL,
           erased = jsonb_build_object('/actor_id', ${SQL_TEXT_DIGEST("actor_id")}) || coalesce(erased, '{}'::jsonb)
     WHERE actor_type = 'user' AND actor_id = (OLD.${quoteIdent(idColumn)})::text
    RETURNING id, workspace_id
  )
  INSERT INTO activity_removals (workspace_id, event_id, seq, reason)
  SELECT f.workspace_id, f.id, s.seq, 'actor deleted'
    FROM forgotten AS f LEFT JOIN activity_sequence AS s ON s.workspace_id = f.workspace_id AND s.event_id = f.id;
  RETURN OLD;
END
$fn$`,
    `DROP TRIGGER IF EXISTS activity_forget_actor ON ${quoteIdent(usersTable)}`,
    `CREATE TRIGGER activity_forget_actor AFTER DELETE ON ${quoteIdent(usersTable)}
  FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
  ];
}
