import { PARTITION_MONTHS_AHEAD } from "./base-sql";
import { SQL_TEXT_DIGEST } from "./canonical";

/**
 * Append-only by privilege, in SQL: the guard trigger on the kit's logs, and the owner's routines, the only
 * code that changes or removes events. Each routine is SECURITY DEFINER (it runs as the role that ran the
 * migration, the tables' owner) with its search_path pinned, so a caller's objects cannot stand in for the
 * kit's; EXECUTE is revoked from PUBLIC, and `activityGrantStatements` (grants.ts) gives it to the app's
 * role. Each leaves a row in activity_removals saying what it did.
 *
 * Blocks are separated by blank lines (see kitFunctionStatements in sql.ts): none may contain one.
 */

// drizzle's pgTable puts the kit's tables in `public`; pg_temp last, so a caller's temporary table named
// like one of them is never found first.
const DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp";

/** The kit's tables that only grow: their guard refuses UPDATE, DELETE and TRUNCATE to all but the owner. */
export const APPEND_ONLY_TABLES = ["activity_events", "activity_sequence", "activity_removals"] as const;

/** Tables of the kit that other parts may create (the chain's): guarded and reset when they exist. */
export const OPTIONAL_LOG_TABLES = ["activity_seals", "activity_checkpoints"] as const;

export const PRIVILEGED_SQL = /* sql */ `
-- The kit's logs are append-only by privilege: the app's role is granted INSERT and SELECT on them, never
-- UPDATE, DELETE or TRUNCATE. This trigger also refuses those to every role but the table's owner (one
-- granted them by mistake, a superuser who is not the owner): no setting switches it off. The owner's
-- routines below run as the owner. Where the app itself is the owner (PGlite: one superuser), the guard is
-- the hash chain, which makes any edit detectable.
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

-- The guard on each of the kit's logs (those of the chain too, where this database has them).
DO $fn$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[${[...APPEND_ONLY_TABLES, ...OPTIONAL_LOG_TABLES].map((t) => `'${t}'`).join(", ")}] LOOP
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

-- Monthly partitions of the events table (docs/partitions.md): makes sure this month and the next
-- p_months_ahead have a partition (activity_events_pYYYYMM, UTC), and so does every month of which the
-- default partition holds rows (an event dated far ahead, or one from before the partitions): those rows
-- move out of the default partition into their month, in this transaction. Called by the kit's migration
-- and, at most once an hour, by the sequencer's elected process. Returns how many partitions it made; does
-- nothing on an events table that is not partitioned. The new partitions belong to the owner, get the guard
-- (the row triggers are cloned by PostgreSQL; TRUNCATE's is made here) and the parent's indexes.
CREATE OR REPLACE FUNCTION activity_partitions_ensure(p_months_ahead integer)
RETURNS integer LANGUAGE plpgsql ${DEFINER} AS $fn$
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

-- Empties one workspace's log (every workspace's when null), for re-seeding a demo and for tests: events,
-- sequence, head, removals and the chain's seals and checkpoints. It leaves one row in activity_removals
-- (reason 'reset', policy: how many events went). Returns that count.
CREATE OR REPLACE FUNCTION activity_reset(p_workspace text)
RETURNS bigint LANGUAGE plpgsql ${DEFINER} AS $fn$
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
  FOREACH t IN ARRAY ARRAY[${OPTIONAL_LOG_TABLES.map((t) => `'${t}'`).join(", ")}] LOOP
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

-- One batch of a retention policy: up to p_batch sequenced events with an id above p_after, older than
-- p_before, whose action matches p_pattern (LIKE) and none of p_except (the patterns of more specific
-- policies). They go with their sequence rows, never their seals (the chain keeps their links), each
-- recorded in activity_removals. Returns how many went and the last id looked at (the next batch's
-- p_after). A batch is one short transaction: no lock outlives it. With p_dry_run, nothing is removed and
-- the count is of every event the policy would remove.
CREATE OR REPLACE FUNCTION activity_retention_batch(p_policy text, p_pattern text, p_except text[],
  p_before timestamptz, p_after bigint, p_batch integer, p_dry_run boolean)
RETURNS TABLE (removed bigint, last_id bigint) LANGUAGE plpgsql ${DEFINER} AS $fn$
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

-- Retention by month, before the row by row batches: drops each month partition of the events table of
-- which every event would be removed anyway. p_policies: the policies most specific first, as
-- [{"n": 1, "policy": label, "pattern": LIKE pattern, "before": cut-off}, ...]. An event falls under the
-- first policy whose pattern its action matches (as activity_retention_batch's p_except says); a month goes
-- only when it has ended, every event in it has a policy, is older than that policy's cut-off and is
-- sequenced. Each of its events is recorded in activity_removals (reason 'retention', its policy) and loses
-- its sequence row, exactly as a batch would do it; the seals stay. A month with one event to keep is left
-- whole to the batches. Returns, per month dropped and policy, how many events went that way (with
-- p_dry_run: would go, and nothing is dropped). Months with no events are left alone.
CREATE OR REPLACE FUNCTION activity_retention_partitions(p_policies jsonb, p_dry_run boolean)
RETURNS TABLE (month text, policy text, removed bigint) LANGUAGE plpgsql ${DEFINER} AS $fn$
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

-- Erases personal values from past events (a person's right to erasure) and keeps everything else:
-- p = {"reason": text, "events": [{"id": n, "workspace": text, "occurredAt": timestamptz, "columns": [...],
-- "values": {pointer: digest}}]}: each event is found by its whole key (workspace, time and id: one
-- partition, one shard); a payload of an older kit, with "id" alone (or "id" and "workspace"), still works.
-- Columns: actor_label and subject become 'erased'; actor_id, ip and user_agent null. Values are JSON pointers into
-- the event's changes (/changes/<n>/row/<column>, /changes/<n>/changes/<column>/<0 or 1>), which become null.
-- For each, erased keeps the digest the value had (canonical.ts), so the event's digest and the chain
-- still verify: this routine digests the text columns itself; the values' digests come from the kit's own
-- canonical form, and a wrong one fails verification rather than hiding anything. A value already erased
-- keeps its first digest, so erasing twice changes nothing. Each event changed gets a row in
-- activity_removals (reason 'erasure'). Returns how many events changed.
CREATE OR REPLACE FUNCTION activity_erase(p jsonb)
RETURNS bigint LANGUAGE plpgsql ${DEFINER} AS $fn$
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
        added := added || jsonb_build_object('/' || col, ${SQL_TEXT_DIGEST("to_jsonb(ev) ->> col")});
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

REVOKE EXECUTE ON FUNCTION activity_reset(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION activity_retention_batch(text, text, text[], timestamptz, bigint, integer, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION activity_erase(jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION activity_partitions_ensure(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION activity_retention_partitions(jsonb, boolean) FROM PUBLIC;
SELECT activity_partitions_ensure(${PARTITION_MONTHS_AHEAD})
`;
