-- activity-kit base version 4
-- Written by the activity kit's CLI (`activity migration`) from lib/activity-kit.ts:
--   the kit's tables, brought up to this kit's (3 changes)
--   the kit's functions, brought up to this kit's
--   actors: users.id (their events keep the name)
DO $sequence_event_key$
BEGIN
  IF coalesce((SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
                WHERE c.conrelid = to_regclass('activity_sequence') AND c.conname = 'activity_sequence_event_key'), '')
     <> 'UNIQUE (workspace_id, event_id)' THEN
    ALTER TABLE "activity_sequence" DROP CONSTRAINT IF EXISTS "activity_sequence_event_key";
    ALTER TABLE "activity_sequence" ADD CONSTRAINT "activity_sequence_event_key" UNIQUE("workspace_id","event_id");
  END IF;
END
$sequence_event_key$;
--> statement-breakpoint
DO $sequence_time$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_attribute AS a
              WHERE a.attrelid = to_regclass('activity_sequence') AND a.attname = 'occurred_at' AND NOT a.attnotnull) THEN
    UPDATE "activity_sequence" AS s
       SET "occurred_at" = coalesce((SELECT e."occurred_at" FROM "activity_events" AS e
                                      WHERE e."workspace_id" = s."workspace_id" AND e."id" = s."event_id"), '-infinity')
     WHERE s."occurred_at" IS NULL;
    ALTER TABLE "activity_sequence" ALTER COLUMN "occurred_at" SET NOT NULL;
  END IF;
END
$sequence_time$;
--> statement-breakpoint
DO $checkpoints_key$
BEGIN
  IF coalesce((SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
                WHERE c.conrelid = to_regclass('activity_checkpoints') AND c.contype = 'p'), '')
     <> 'PRIMARY KEY (workspace_id, id)' THEN
    ALTER TABLE "activity_checkpoints" DROP CONSTRAINT IF EXISTS "activity_checkpoints_pkey";
    ALTER TABLE "activity_checkpoints" ADD CONSTRAINT "activity_checkpoints_pkey" PRIMARY KEY("workspace_id","id");
  END IF;
END
$checkpoints_key$;
--> statement-breakpoint
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
--> statement-breakpoint
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
--> statement-breakpoint
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
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activity_begin(p jsonb)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('activity.mode', 'tracking', true),
          set_config('activity.chunk', '0', true),
          set_config('activity.changes_0', '', true),
          set_config('activity.actor_type', p ->> 'actorType', true),
          set_config('activity.actor_id', coalesce(p ->> 'actorId', ''), true),
          set_config('activity.actor_label', p ->> 'actorLabel', true),
          set_config('activity.request_id', coalesce(p ->> 'requestId', ''), true),
          set_config('activity.ip', coalesce(p ->> 'ip', ''), true),
          set_config('activity.user_agent', coalesce(p ->> 'userAgent', ''), true);
END
$fn$;
--> statement-breakpoint
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
--> statement-breakpoint
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
--> statement-breakpoint
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
--> statement-breakpoint
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
--> statement-breakpoint
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
--> statement-breakpoint
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
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activity_events_guard()
RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_roles AS r ON r.oid = c.relowner
              WHERE c.oid = TG_RELID AND r.rolname = current_user) THEN
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  -- A partition of the events table says so by the table's name (its own in the detail).
  RAISE EXCEPTION '% is append-only: % is not allowed',
      coalesce((SELECT c.relname FROM pg_catalog.pg_class AS c WHERE c.oid = pg_catalog.pg_partition_root(TG_RELID)), TG_TABLE_NAME), TG_OP
    USING ERRCODE = 'insufficient_privilege',
          DETAIL = 'Refused on ' || TG_TABLE_NAME || '.',
          HINT = 'Retention and erasure go through the kit''s routines (activity_retention_batch, activity_erase).';
END
$fn$;
--> statement-breakpoint
DO $fn$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['activity_events', 'activity_sequence', 'activity_removals', 'activity_seals', 'activity_checkpoints'] LOOP
    IF to_regclass(t) IS NOT NULL THEN
      EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_append_only', t);
      EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION activity_events_guard()', t || '_append_only', t);
      EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_no_truncate', t);
      EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION activity_events_guard()', t || '_no_truncate', t);
    END IF;
  END LOOP;
  -- A partitioned events table: the row triggers above are cloned to every partition (and to those made
  -- later), a TRUNCATE trigger is not, so each partition gets its own (activity_partitions_ensure too).
  FOR t IN SELECT x.relid::text FROM pg_partition_tree(to_regclass('activity_events')) AS x WHERE x.level > 0 LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS activity_events_no_truncate ON %s', t);
    EXECUTE format('CREATE TRIGGER activity_events_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION activity_events_guard()', t);
  END LOOP;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activity_partitions_ensure(p_months_ahead integer)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
DECLARE
  this_month timestamptz := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  m timestamptz;
  part text;
  lower_bound text;
  upper_bound text;
  made integer := 0;
  schema_name text;
BEGIN
  IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = to_regclass('activity_events')) IS DISTINCT FROM 'p' THEN
    RETURN 0;
  END IF;
  -- The partitions go beside the parent (the pinned search_path starts with pg_catalog).
  SELECT n.nspname INTO schema_name FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
   WHERE c.oid = 'activity_events'::regclass;
  FOR m IN
    SELECT gs.month_start FROM generate_series(this_month,
                                    (this_month AT TIME ZONE 'UTC' + make_interval(months => greatest(p_months_ahead, 0))) AT TIME ZONE 'UTC',
                                    interval '1 month') AS gs(month_start)
    UNION
    SELECT DISTINCT date_trunc('month', d.occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM activity_events_default AS d
    ORDER BY 1
  LOOP
    part := 'activity_events_p' || to_char(m AT TIME ZONE 'UTC', 'YYYYMM');
    CONTINUE WHEN to_regclass(format('%I.%I', schema_name, part)) IS NOT NULL;
    lower_bound := to_char(m AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' 00:00:00+00';
    upper_bound := to_char((m AT TIME ZONE 'UTC') + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00';
    IF EXISTS (SELECT 1 FROM activity_events_default AS d
                WHERE d.occurred_at >= lower_bound::timestamptz AND d.occurred_at < upper_bound::timestamptz) THEN
      -- The month's rows leave the default partition first: a partition cannot be made while the default
      -- one holds rows of its range. They go into the new table, which is then attached as the month.
      EXECUTE format('CREATE TABLE %I.%I (LIKE activity_events INCLUDING DEFAULTS)', schema_name, part);
      EXECUTE format('INSERT INTO %I.%I SELECT * FROM activity_events_default AS d WHERE d.occurred_at >= $1 AND d.occurred_at < $2', schema_name, part)
        USING lower_bound::timestamptz, upper_bound::timestamptz;
      DELETE FROM activity_events_default AS d
       WHERE d.occurred_at >= lower_bound::timestamptz AND d.occurred_at < upper_bound::timestamptz;
      EXECUTE format('ALTER TABLE activity_events ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)', schema_name, part, lower_bound, upper_bound);
    ELSE
      EXECUTE format('CREATE TABLE %I.%I PARTITION OF activity_events FOR VALUES FROM (%L) TO (%L)', schema_name, part, lower_bound, upper_bound);
    END IF;
    EXECUTE format('CREATE TRIGGER activity_events_no_truncate BEFORE TRUNCATE ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION activity_events_guard()', schema_name, part);
    made := made + 1;
  END LOOP;
  RETURN made;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activity_reset(p_workspace text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
DECLARE
  removed bigint;
  t text;
BEGIN
  IF p_workspace IS NULL THEN
    SELECT count(*) INTO removed FROM activity_events;
    TRUNCATE activity_events, activity_sequence, activity_heads, activity_sequencer, activity_removals RESTART IDENTITY;
  ELSE
    DELETE FROM activity_sequence WHERE workspace_id = p_workspace;
    DELETE FROM activity_heads WHERE workspace_id = p_workspace;
    DELETE FROM activity_removals WHERE workspace_id = p_workspace;
    DELETE FROM activity_events WHERE workspace_id = p_workspace;
    GET DIAGNOSTICS removed = ROW_COUNT;
  END IF;
  FOREACH t IN ARRAY ARRAY['activity_seals', 'activity_checkpoints'] LOOP
    IF to_regclass(t) IS NOT NULL THEN
      IF p_workspace IS NULL THEN
        EXECUTE format('TRUNCATE %I', t);
      ELSE
        EXECUTE format('DELETE FROM %I WHERE workspace_id = $1', t) USING p_workspace;
      END IF;
    END IF;
  END LOOP;
  INSERT INTO activity_removals (workspace_id, reason, policy)
  VALUES (p_workspace, 'reset', removed || ' events');
  RETURN removed;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activity_retention_batch(p_policy text, p_pattern text, p_except text[],
  p_before timestamptz, p_after bigint, p_batch integer, p_dry_run boolean)
RETURNS TABLE (removed bigint, last_id bigint) LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
BEGIN
  IF p_dry_run THEN
    RETURN QUERY
      SELECT count(*), max(e.id) FROM activity_events AS e
       WHERE e.id > p_after AND e.occurred_at < p_before AND e.action LIKE p_pattern
         AND NOT (e.action LIKE ANY (p_except))
         AND EXISTS (SELECT 1 FROM activity_sequence AS s WHERE s.workspace_id = e.workspace_id AND s.event_id = e.id);
    RETURN;
  END IF;
  RETURN QUERY
    WITH doomed AS (
      SELECT e.id, e.workspace_id, e.occurred_at, s.seq
        FROM activity_events AS e
        JOIN activity_sequence AS s ON s.workspace_id = e.workspace_id AND s.event_id = e.id
       WHERE e.id > p_after AND e.occurred_at < p_before AND e.action LIKE p_pattern
         AND NOT (e.action LIKE ANY (p_except))
       ORDER BY e.id
       LIMIT p_batch
    ), unsequenced AS (
      DELETE FROM activity_sequence AS s USING doomed AS d WHERE s.workspace_id = d.workspace_id AND s.event_id = d.id
    ), deleted AS (
      DELETE FROM activity_events AS e USING doomed AS d
       WHERE e.workspace_id = d.workspace_id AND e.occurred_at = d.occurred_at AND e.id = d.id
      RETURNING d.id, d.workspace_id, d.seq
    ), recorded AS (
      INSERT INTO activity_removals (workspace_id, event_id, seq, reason, policy)
      SELECT workspace_id, id, seq, 'retention', p_policy FROM deleted
      RETURNING event_id
    )
    SELECT count(*), max(event_id) FROM recorded;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activity_retention_partitions(p_policies jsonb, p_dry_run boolean)
RETURNS TABLE (month text, policy text, removed bigint) LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
DECLARE
  part record;
  total bigint;
  doomed bigint;
BEGIN
  IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = to_regclass('activity_events')) IS DISTINCT FROM 'p' THEN
    RETURN;
  END IF;
  FOR part IN
    SELECT n.nspname AS schema_name, c.relname AS name
      FROM pg_catalog.pg_inherits AS i
      JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE i.inhparent = 'activity_events'::regclass AND c.relname ~ '^activity_events_p[0-9]{6}$'
       AND to_date(substr(c.relname, 18) || '01', 'YYYYMMDD') + interval '1 month' <= now() AT TIME ZONE 'UTC'
     ORDER BY c.relname
  LOOP
    EXECUTE format($q$
      SELECT count(*), count(*) FILTER (WHERE g.policy IS NOT NULL AND e.occurred_at < g.before AND s.seq IS NOT NULL)
        FROM %I.%I AS e
        LEFT JOIN activity_sequence AS s ON s.workspace_id = e.workspace_id AND s.event_id = e.id
        LEFT JOIN LATERAL (SELECT p.policy, p.before FROM jsonb_to_recordset($1) AS p(n integer, policy text, pattern text, before timestamptz)
                            WHERE e.action LIKE p.pattern ORDER BY p.n LIMIT 1) AS g ON true$q$, part.schema_name, part.name)
      INTO total, doomed USING p_policies;
    CONTINUE WHEN total = 0 OR doomed < total;
    IF NOT p_dry_run THEN
      EXECUTE format($q$
        INSERT INTO activity_removals (workspace_id, event_id, seq, reason, policy)
        SELECT e.workspace_id, e.id, s.seq, 'retention', g.policy
          FROM %I.%I AS e
          JOIN activity_sequence AS s ON s.workspace_id = e.workspace_id AND s.event_id = e.id
          JOIN LATERAL (SELECT p.policy FROM jsonb_to_recordset($1) AS p(n integer, policy text, pattern text, before timestamptz)
                         WHERE e.action LIKE p.pattern ORDER BY p.n LIMIT 1) AS g ON true
         ORDER BY e.id$q$, part.schema_name, part.name) USING p_policies;
      EXECUTE format('DELETE FROM activity_sequence AS s USING %I.%I AS e WHERE s.workspace_id = e.workspace_id AND s.event_id = e.id', part.schema_name, part.name);
    END IF;
    RETURN QUERY EXECUTE format($q$
      SELECT %L::text, g.policy, count(*)
        FROM %I.%I AS e
        JOIN LATERAL (SELECT p.policy FROM jsonb_to_recordset($1) AS p(n integer, policy text, pattern text, before timestamptz)
                       WHERE e.action LIKE p.pattern ORDER BY p.n LIMIT 1) AS g ON true
       GROUP BY g.policy ORDER BY g.policy$q$, part.name, part.schema_name, part.name) USING p_policies;
    IF NOT p_dry_run THEN
      EXECUTE format('DROP TABLE %I.%I', part.schema_name, part.name);
    END IF;
  END LOOP;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activity_erase(p jsonb)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
DECLARE
  item jsonb;
  ev activity_events;
  col text;
  ptr text;
  digest text;
  path text[];
  current_value jsonb;
  added jsonb;
  new_changes jsonb;
  changed bigint := 0;
BEGIN
  FOR item IN SELECT value FROM jsonb_array_elements(coalesce(p -> 'events', '[]'::jsonb)) LOOP
    IF item ? 'workspace' AND item ? 'occurredAt' THEN
      SELECT * INTO ev FROM activity_events
       WHERE workspace_id = item ->> 'workspace' AND occurred_at = (item ->> 'occurredAt')::timestamptz
         AND id = (item ->> 'id')::bigint
         FOR UPDATE;
    ELSIF item ? 'workspace' THEN
      SELECT * INTO ev FROM activity_events
       WHERE workspace_id = item ->> 'workspace' AND id = (item ->> 'id')::bigint FOR UPDATE;
    ELSE
      SELECT * INTO ev FROM activity_events WHERE id = (item ->> 'id')::bigint FOR UPDATE;
    END IF;
    IF NOT FOUND THEN
      CONTINUE;
    END IF;
    added := '{}'::jsonb;
    new_changes := ev.changes;
    FOR col IN SELECT value FROM jsonb_array_elements_text(coalesce(item -> 'columns', '[]'::jsonb)) LOOP
      IF NOT col = ANY (ARRAY['actor_label', 'subject', 'actor_id', 'ip', 'user_agent']) THEN
        RAISE EXCEPTION 'activity_erase: % is not an erasable column', col USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF (to_jsonb(ev) ->> col) IS NOT NULL AND NOT coalesce(ev.erased ? ('/' || col), false) THEN
        added := added || jsonb_build_object('/' || col, CASE WHEN (to_jsonb(ev) ->> col) IS NULL THEN encode(sha256(convert_to('z:', 'UTF8')), 'hex') ELSE encode(sha256(convert_to('s:' || (to_jsonb(ev) ->> col), 'UTF8')), 'hex') END);
      END IF;
    END LOOP;
    FOR ptr, digest IN SELECT key, value FROM jsonb_each_text(coalesce(item -> 'values', '{}'::jsonb)) LOOP
      IF ptr !~ '^/changes/[0-9]+/(row/[^/]+|changes/[^/]+/[01])$' OR digest !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'activity_erase: % is not an erasable value', ptr USING ERRCODE = 'invalid_parameter_value';
      END IF;
      path := ARRAY(SELECT replace(replace(seg, '~1', '/'), '~0', '~')
                      FROM unnest((string_to_array(substr(ptr, 2), '/'))[2:]) WITH ORDINALITY AS x(seg, n)
                     ORDER BY n);
      current_value := ev.changes #> path;
      IF current_value IS NULL THEN
        RAISE EXCEPTION 'activity_erase: event % has no value at %', ev.id, ptr USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF current_value <> 'null'::jsonb AND NOT coalesce(ev.erased ? ptr, false) THEN
        new_changes := jsonb_set(new_changes, path, 'null'::jsonb);
        added := added || jsonb_build_object(ptr, digest);
      END IF;
    END LOOP;
    IF added = '{}'::jsonb THEN
      CONTINUE;
    END IF;
    UPDATE activity_events
       SET actor_label = CASE WHEN added ? '/actor_label' THEN 'erased' ELSE actor_label END,
           subject = CASE WHEN added ? '/subject' THEN 'erased' ELSE subject END,
           actor_id = CASE WHEN added ? '/actor_id' THEN NULL ELSE actor_id END,
           ip = CASE WHEN added ? '/ip' THEN NULL ELSE ip END,
           user_agent = CASE WHEN added ? '/user_agent' THEN NULL ELSE user_agent END,
           changes = new_changes,
           erased = added || coalesce(erased, '{}'::jsonb)
     WHERE workspace_id = ev.workspace_id AND occurred_at = ev.occurred_at AND id = ev.id;
    IF added ? '/actor_id' THEN
      UPDATE activity_sequence SET actor_id = NULL WHERE workspace_id = ev.workspace_id AND event_id = ev.id;
    END IF;
    INSERT INTO activity_removals (workspace_id, event_id, seq, reason, policy)
    VALUES (ev.workspace_id, ev.id,
            (SELECT s.seq FROM activity_sequence AS s WHERE s.workspace_id = ev.workspace_id AND s.event_id = ev.id), 'erasure',
            p ->> 'reason');
    changed := changed + 1;
  END LOOP;
  RETURN changed;
END
$fn$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION activity_reset(text) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION activity_retention_batch(text, text, text[], timestamptz, bigint, integer, boolean) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION activity_erase(jsonb) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION activity_partitions_ensure(integer) FROM PUBLIC;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION activity_retention_partitions(jsonb, boolean) FROM PUBLIC;
--> statement-breakpoint
SELECT activity_partitions_ensure(3);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "activity_forget_actor_users"() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
BEGIN
  WITH forgotten AS (
    UPDATE activity_events
       SET actor_id = NULL,
           erased = jsonb_build_object('/actor_id', CASE WHEN (actor_id) IS NULL THEN encode(sha256(convert_to('z:', 'UTF8')), 'hex') ELSE encode(sha256(convert_to('s:' || (actor_id), 'UTF8')), 'hex') END) || coalesce(erased, '{}'::jsonb)
     WHERE actor_type = 'user' AND actor_id = (OLD."id")::text
    RETURNING id, workspace_id
  )
  INSERT INTO activity_removals (workspace_id, event_id, seq, reason)
  SELECT f.workspace_id, f.id, s.seq, 'actor deleted'
    FROM forgotten AS f LEFT JOIN activity_sequence AS s ON s.workspace_id = f.workspace_id AND s.event_id = f.id;
  RETURN OLD;
END
$fn$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS activity_forget_actor ON "users";
--> statement-breakpoint
CREATE TRIGGER activity_forget_actor AFTER DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "activity_forget_actor_users"();
