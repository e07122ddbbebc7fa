/* likeset--1.0--1.1.sql: the log layout for large sets (docs/large-sets.md) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION likeset UPDATE TO '1.1'" to load this file. \quit

-- Building blocks, usable on their own.

CREATE FUNCTION @extschema@.likeset_entry(s @extschema@.likeset, elem text,
	OUT ts timestamptz, OUT removed boolean)
	RETURNS record
	AS 'MODULE_PATHNAME', 'likeset_entry'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_entry(@extschema@.likeset, text) IS
	'the last operation on elem (timestamp, removed), NULL when s has no entry for it';

CREATE FUNCTION @extschema@.likeset_nentries(s @extschema@.likeset) RETURNS bigint
	AS 'MODULE_PATHNAME', 'likeset_nentries'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_nentries(@extschema@.likeset) IS
	'number of entries, tombstones included, O(1)';

CREATE FUNCTION @extschema@.likeset_element_hash(elem text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'likeset_element_hash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_element_hash(text) IS
	'stable hash of an element''s bytes, in [0, 2^32): places elements in the parts of a log table';

CREATE FUNCTION @extschema@.likeset_hash_range(s @extschema@.likeset, lo bigint, hi bigint)
	RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_hash_range'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_hash_range(@extschema@.likeset, bigint, bigint) IS
	'the entries whose likeset_element_hash h has lo <= h < hi';

CREATE FUNCTION @extschema@.likeset_split_point(s @extschema@.likeset) RETURNS bigint
	AS 'MODULE_PATHNAME', 'likeset_split_point'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_split_point(@extschema@.likeset) IS
	'a hash that splits s into two non-empty halves of about equal size; NULL when none does';

CREATE FUNCTION @extschema@.likeset_split(s @extschema@.likeset, lo bigint, max_entries integer,
	OUT lo bigint, OUT part @extschema@.likeset)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'likeset_split'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION @extschema@.likeset_split(@extschema@.likeset, bigint, integer) IS
	'pieces of s split by element hash, each of at most max_entries entries (unless they share one hash): the first starts at lo, the others at the lowest hash they hold';

CREATE FUNCTION @extschema@.likeset_agg_trans(internal, text, timestamptz, boolean)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'likeset_agg_op_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- not STRICT: the first state is NULL

CREATE AGGREGATE @extschema@.likeset_agg(text, timestamptz, boolean) (
	SFUNC = @extschema@.likeset_agg_trans,
	STYPE = internal,
	FINALFUNC = @extschema@.likeset_agg_final,
	COMBINEFUNC = @extschema@.likeset_agg_combine,
	SERIALFUNC = @extschema@.likeset_agg_serialize,
	DESERIALFUNC = @extschema@.likeset_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.likeset_agg(text, timestamptz, boolean) IS
	'set built from operations (element, timestamp, removed): the latest operation on each element wins';

-- The registry of log tables.  Everyone may read it; rows can only be
-- written for tables the current user owns (row level security).

CREATE TABLE @extschema@.likeset_log_tables (
	log regclass PRIMARY KEY,
	part regclass NOT NULL,
	head regclass NOT NULL,
	part_max integer NOT NULL CHECK (part_max >= 2)
);
COMMENT ON TABLE @extschema@.likeset_log_tables IS
	'log tables made by likeset_create_log(), with their node-local part and head tables';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.likeset_log_tables', '');
ALTER TABLE @extschema@.likeset_log_tables ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON @extschema@.likeset_log_tables FOR SELECT USING (true);
CREATE POLICY owner_insert ON @extschema@.likeset_log_tables FOR INSERT
	WITH CHECK (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c
										WHERE c.oid = log), 'USAGE'));
CREATE POLICY owner_delete ON @extschema@.likeset_log_tables FOR DELETE
	USING (NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = log)
		   OR pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c
									  WHERE c.oid = log), 'USAGE'));
GRANT SELECT, INSERT, DELETE ON @extschema@.likeset_log_tables TO PUBLIC;

-- How a table keeps its likes: a log table (registered above), or a table
-- with one likeset column and a one-column primary key (the value layout).
CREATE FUNCTION @extschema@.likeset_layout(tbl regclass,
	OUT is_log boolean, OUT key_col name, OUT set_col name,
	OUT part regclass, OUT head regclass, OUT part_max integer)
	RETURNS record
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	SELECT true, 'key', NULL, r.part, r.head, r.part_max
		INTO is_log, key_col, set_col, part, head, part_max
		FROM @extschema@.likeset_log_tables r
		WHERE r.log = tbl;
	IF FOUND THEN
		RETURN;
	END IF;
	is_log := false;
	SELECT count(*), min(a.attname) INTO n, set_col
		FROM pg_attribute a
		WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
		  AND a.atttypid = '@extschema@.likeset'::regtype;
	IF n <> 1 THEN
		RAISE EXCEPTION 'table % has % likeset columns', tbl, n
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The like functions work on a log table made by likeset_create_log(), or on a table with exactly one likeset column and a one-column primary key.';
	END IF;
	SELECT a.attname INTO key_col
		FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indrelid = tbl AND i.indisprimary AND i.indnkeyatts = 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % has no one-column primary key', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The like functions find a row by its primary key; with a composite key, update the likeset column directly.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_layout(regclass) IS
	'how tbl keeps its likes: a log table and its parts, or a likeset column keyed by a one-column primary key';

-- Create a log table, its part and head tables, and register them; a name
-- without a schema goes to cur_schema, the caller's current schema.
CREATE FUNCTION @extschema@.likeset_create_log_in(cur_schema name, name text,
	key_type regtype, part_max integer)
	RETURNS regclass
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
	SET client_min_messages = warning
AS $$
DECLARE
	parts text[] := pg_catalog.parse_ident(name);
	sch text;
	rel text;
	log regclass;
BEGIN
	IF pg_catalog.array_length(parts, 1) = 1 THEN
		sch := cur_schema;
		IF sch IS NULL THEN
			RAISE EXCEPTION 'no schema has been selected to create in'
				USING ERRCODE = 'invalid_schema_name';
		END IF;
		rel := parts[1];
	ELSIF pg_catalog.array_length(parts, 1) = 2 THEN
		sch := parts[1];
		rel := parts[2];
	ELSE
		RAISE EXCEPTION 'improper log table name "%"', name
			USING ERRCODE = 'invalid_name';
	END IF;
	IF part_max < 2 OR part_max > 1000000 THEN
		RAISE EXCEPTION 'part_max must be between 2 and 1000000, not %', part_max
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF pg_catalog.octet_length(rel) > 58 THEN
		RAISE EXCEPTION 'log table name "%" is too long', rel
			USING ERRCODE = 'name_too_long',
				  DETAIL = 'It is at most 58 bytes, to leave room for the _part and _head tables.';
	END IF;
	EXECUTE pg_catalog.format(
		'CREATE TABLE %I.%I ('
		'key %s NOT NULL, '
		'element text COLLATE "C" NOT NULL CHECK (pg_catalog.octet_length(element) <= 4096), '
		'ts timestamptz NOT NULL CHECK (pg_catalog.isfinite(ts)), '
		'removed boolean NOT NULL DEFAULT false)', sch, rel, key_type);
	log := pg_catalog.format('%I.%I', sch, rel)::regclass;
	EXECUTE pg_catalog.format('CREATE INDEX ON %s (key, element)', log);
	EXECUTE pg_catalog.format(
		'CREATE TABLE %I.%I ('
		'key %s NOT NULL, '
		'lo bigint NOT NULL CHECK (lo >= 0 AND lo < 4294967296), '
		'part @extschema@.likeset NOT NULL, '
		'PRIMARY KEY (key, lo))', sch, rel || '_part', key_type);
	EXECUTE pg_catalog.format(
		'CREATE TABLE %I.%I ('
		'key %s PRIMARY KEY, '
		'present bigint NOT NULL DEFAULT 0, '
		'entries bigint NOT NULL DEFAULT 0, '
		'parts integer NOT NULL DEFAULT 1, '
		'folded_at timestamptz)', sch, rel || '_head', key_type);
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER likeset_log_dedupe BEFORE INSERT ON %s '
		'FOR EACH ROW EXECUTE FUNCTION @extschema@.likeset_log_trigger()', log);
	EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE REPLICA TRIGGER likeset_log_dedupe', log);
	EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', log,
		'likeset log: one row per like or unlike not yet folded; publish with (publish = ''insert'')');
	EXECUTE pg_catalog.format('COMMENT ON TABLE %I.%I IS %L', sch, rel || '_part',
		'likeset log parts: folded entries by element hash range; node-local, never publish');
	EXECUTE pg_catalog.format('COMMENT ON TABLE %I.%I IS %L', sch, rel || '_head',
		'likeset log heads: present and entry counts of folded entries per key; node-local, never publish');
	DELETE FROM @extschema@.likeset_log_tables r
		WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = r.log);
	INSERT INTO @extschema@.likeset_log_tables VALUES
		(log, pg_catalog.format('%I.%I', sch, rel || '_part')::regclass,
		 pg_catalog.format('%I.%I', sch, rel || '_head')::regclass, part_max);
	RETURN log;
END
$$;
CREATE FUNCTION @extschema@.likeset_create_log(name text,
	key_type regtype DEFAULT 'bigint', part_max integer DEFAULT 8)
	RETURNS regclass
	LANGUAGE sql VOLATILE STRICT
	AS $$ SELECT @extschema@.likeset_create_log_in(pg_catalog.current_schema(), $1, $2, $3) $$;
COMMENT ON FUNCTION @extschema@.likeset_create_log(text, regtype, integer) IS
	'create a log table for large sets (docs/large-sets.md) with its node-local _part and _head tables';

-- A query for the latest operation known on (key $1, element $2) of a log
-- table, pending or folded: zero or one row (ts, removed)
CREATE FUNCTION @extschema@.likeset_log_latest_sql(log regclass, part regclass)
	RETURNS text
	LANGUAGE sql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.format(
		'SELECT o.ts, o.removed FROM ('
		'  SELECT l.ts, l.removed FROM %s l WHERE l.key = $1 AND l.element = $2 COLLATE "C"'
		'  UNION ALL'
		'  SELECT (x.e).ts, (x.e).removed FROM ('
		'    SELECT @extschema@.likeset_entry(p.part, $2) AS e FROM %s p'
		'    WHERE p.key = $1 AND p.lo <= @extschema@.likeset_element_hash($2)'
		'    ORDER BY p.lo DESC LIMIT 1) x'
		'  WHERE x.e IS NOT NULL) o '
		'ORDER BY o.ts DESC, o.removed DESC LIMIT 1', log, part)
$$;

-- The latest operation known on (key, elem) of a log table: pending or folded
CREATE FUNCTION @extschema@.likeset_log_latest(log regclass, part regclass,
	key anyelement, elem text, OUT ts timestamptz, OUT removed boolean)
	RETURNS record
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE @extschema@.likeset_log_latest_sql(log, part) INTO ts, removed USING key, elem;
END
$$;

-- Replica-only trigger on log tables: drop an incoming operation that an
-- equal or later one on the same element already beats, so that the echo
-- of a row dies at the first node that has it.  Never raises on data.
CREATE FUNCTION @extschema@.likeset_log_trigger() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p regclass;
	last record;
BEGIN
	SELECT r.part INTO p FROM @extschema@.likeset_log_tables r WHERE r.log = TG_RELID;
	IF NOT FOUND THEN
		RETURN NEW;
	END IF;
	last := @extschema@.likeset_log_latest(TG_RELID::regclass, p, NEW.key, NEW.element);
	IF last.ts IS NOT NULL AND (last.ts, last.removed) >= (NEW.ts, NEW.removed) THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END
$$;

-- One operation on either layout
CREATE FUNCTION @extschema@.likeset_apply_op(tbl regclass, key anyelement,
	elem text, ts timestamptz, removed boolean)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	part regclass;
	lay record;
	op text := CASE WHEN removed THEN 'likeset_remove' ELSE 'likeset_add' END;
	n bigint;
BEGIN
	IF tbl IS NULL OR key IS NULL OR elem IS NULL THEN
		RAISE EXCEPTION 'table, key and element must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT pg_catalog.isfinite(ts) THEN
		RAISE EXCEPTION 'timestamp out of range for likeset'
			USING ERRCODE = 'datetime_field_overflow',
				  DETAIL = 'Operations need a finite timestamp.';
	END IF;
	SELECT r.part INTO part FROM @extschema@.likeset_log_tables r WHERE r.log = tbl;
	IF NOT FOUND THEN
		lay := @extschema@.likeset_layout(tbl);		-- the value layout, or an error
		IF ts IS NULL THEN
			EXECUTE pg_catalog.format('UPDATE %s SET %I = @extschema@.%I(%I, $2) WHERE %I = $1',
									  tbl, lay.set_col, op, lay.set_col, lay.key_col)
				USING key, elem;
		ELSE
			EXECUTE pg_catalog.format('UPDATE %s SET %I = @extschema@.%I(%I, $2, $3) WHERE %I = $1',
									  tbl, lay.set_col, op, lay.set_col, lay.key_col)
				USING key, elem, ts;
		END IF;
		GET DIAGNOSTICS n = ROW_COUNT;
		IF n = 0 THEN
			EXECUTE pg_catalog.format(
				'INSERT INTO %1$s AS t (%2$I, %3$I) '
				'VALUES ($1, @extschema@.%4$I(''{}''::@extschema@.likeset, $2, coalesce($3, pg_catalog.clock_timestamp()))) '
				'ON CONFLICT (%2$I) DO UPDATE SET %3$I = @extschema@.likeset_merge(t.%3$I, excluded.%3$I)',
				tbl, lay.key_col, lay.set_col, op)
				USING key, elem, ts;
		END IF;
		RETURN;
	END IF;
	IF pg_catalog.octet_length(elem) > 4096 THEN
		RAISE EXCEPTION 'likeset element too long'
			USING ERRCODE = 'program_limit_exceeded',
				  DETAIL = pg_catalog.format('The element is %s bytes; the limit is 4096.', pg_catalog.octet_length(elem));
	END IF;
	-- one statement: without ts, just after the element's last operation
	-- (or now); with ts, nothing when that operation already beats it
	EXECUTE pg_catalog.format(
		'WITH last AS (%s) '
		'INSERT INTO %s (key, element, ts, removed) '
		'SELECT $1, $2, coalesce($3, GREATEST(pg_catalog.clock_timestamp(),'
		'                        (SELECT l.ts FROM last l) + interval ''1 microsecond'')), $4 '
		'WHERE $3 IS NULL OR NOT EXISTS (SELECT 1 FROM last l WHERE (l.ts, l.removed) >= ($3, $4))',
		@extschema@.likeset_log_latest_sql(tbl, part), tbl)
		USING key, elem, ts, removed;
END
$$;

CREATE FUNCTION @extschema@.likeset_like(tbl regclass, key anyelement, elem text)
	RETURNS void LANGUAGE sql VOLATILE
	AS $$ SELECT @extschema@.likeset_apply_op($1, $2, $3, NULL, false) $$;
CREATE FUNCTION @extschema@.likeset_like(tbl regclass, key anyelement, elem text, ts timestamptz)
	RETURNS void LANGUAGE sql VOLATILE
	AS $$ SELECT @extschema@.likeset_apply_op($1, $2, $3, $4, false) $$;
CREATE FUNCTION @extschema@.likeset_unlike(tbl regclass, key anyelement, elem text)
	RETURNS void LANGUAGE sql VOLATILE
	AS $$ SELECT @extschema@.likeset_apply_op($1, $2, $3, NULL, true) $$;
CREATE FUNCTION @extschema@.likeset_unlike(tbl regclass, key anyelement, elem text, ts timestamptz)
	RETURNS void LANGUAGE sql VOLATILE
	AS $$ SELECT @extschema@.likeset_apply_op($1, $2, $3, $4, true) $$;
COMMENT ON FUNCTION @extschema@.likeset_like(regclass, anyelement, text) IS
	'like: add elem to the set of key in tbl (a log table or a table with a likeset column), now';
COMMENT ON FUNCTION @extschema@.likeset_like(regclass, anyelement, text, timestamptz) IS
	'like at ts: add elem to the set of key in tbl';
COMMENT ON FUNCTION @extschema@.likeset_unlike(regclass, anyelement, text) IS
	'unlike: remove elem from the set of key in tbl, now';
COMMENT ON FUNCTION @extschema@.likeset_unlike(regclass, anyelement, text, timestamptz) IS
	'unlike at ts: remove elem from the set of key in tbl';

CREATE FUNCTION @extschema@.likeset_count(tbl regclass, key anyelement) RETURNS bigint
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lay record := @extschema@.likeset_layout(tbl);
	n bigint;
BEGIN
	IF NOT lay.is_log THEN
		EXECUTE pg_catalog.format('SELECT @extschema@.likeset_count(%I) FROM %s WHERE %I = $1',
								  lay.set_col, tbl, lay.key_col)
			INTO n USING key;
		RETURN coalesce(n, 0);
	END IF;
	-- folded count, plus the effect of the latest pending operation on
	-- each element against its folded entry; one statement, one snapshot
	EXECUTE pg_catalog.format(
		'SELECT coalesce((SELECT h.present FROM %3$s h WHERE h.key = $1), 0) + coalesce(('
		'  SELECT pg_catalog.sum(CASE'
		'    WHEN x.e IS NOT NULL AND ((x.e).ts, (x.e).removed) >= (d.ts, d.removed) THEN 0'
		'    ELSE (NOT d.removed)::int - (x.e IS NOT NULL AND NOT (x.e).removed)::int END)'
		'  FROM (SELECT DISTINCT ON (l.element) l.element, l.ts, l.removed FROM %1$s l'
		'        WHERE l.key = $1 ORDER BY l.element, l.ts DESC, l.removed DESC) d'
		'  LEFT JOIN LATERAL (SELECT @extschema@.likeset_entry(p.part, d.element) AS e FROM %2$s p'
		'        WHERE p.key = $1 AND p.lo <= @extschema@.likeset_element_hash(d.element)'
		'        ORDER BY p.lo DESC LIMIT 1) x ON true), 0)',
		tbl, lay.part, lay.head)
		INTO n USING key;
	RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_count(regclass, anyelement) IS
	'number of present elements in the set of key in tbl (a log table or a table with a likeset column)';

CREATE FUNCTION @extschema@.likeset_contains(tbl regclass, key anyelement, elem text) RETURNS boolean
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lay record := @extschema@.likeset_layout(tbl);
	b boolean;
	last record;
BEGIN
	IF NOT lay.is_log THEN
		EXECUTE pg_catalog.format('SELECT @extschema@.likeset_contains(%I, $2) FROM %s WHERE %I = $1',
								  lay.set_col, tbl, lay.key_col)
			INTO b USING key, elem;
		RETURN coalesce(b, false);
	END IF;
	last := @extschema@.likeset_log_latest(tbl, lay.part, key, elem);
	RETURN last.ts IS NOT NULL AND NOT last.removed;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_contains(regclass, anyelement, text) IS
	'is elem present in the set of key in tbl (a log table or a table with a likeset column)?';

CREATE FUNCTION @extschema@.likeset_value(tbl regclass, key anyelement)
	RETURNS @extschema@.likeset
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lay record := @extschema@.likeset_layout(tbl);
	v @extschema@.likeset;
BEGIN
	IF NOT lay.is_log THEN
		EXECUTE pg_catalog.format('SELECT %I FROM %s WHERE %I = $1', lay.set_col, tbl, lay.key_col)
			INTO v USING key;
		RETURN coalesce(v, '{}'::@extschema@.likeset);
	END IF;
	EXECUTE pg_catalog.format(
		'SELECT @extschema@.likeset_merge('
		'  coalesce((SELECT @extschema@.likeset_merge_agg(p.part) FROM %2$s p WHERE p.key = $1), ''{}''),'
		'  coalesce((SELECT @extschema@.likeset_agg(l.element, l.ts, l.removed) FROM %1$s l WHERE l.key = $1), ''{}''))',
		tbl, lay.part)
		INTO v USING key;
	RETURN v;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_value(regclass, anyelement) IS
	'the whole state of key in tbl as one likeset (for a log table: all parts and pending rows merged), O(n)';

-- Fold the pending rows of one key (see likeset_fold).  A polymorphic
-- function, so that PL/pgSQL keeps one compiled copy per key type.
CREATE FUNCTION @extschema@.likeset_fold_key(tbl regclass, part regclass, head regclass,
	part_max integer, key anyelement)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
	lo bigint;
	nsplit integer;
	n bigint;
	locked boolean;
BEGIN
	-- folds of one key take turns: another folder skips this key.  An
	-- advisory lock (on a hash of the table and the key) comes first, so
	-- that no folder ever waits for another's uncommitted head row.
	IF NOT pg_catalog.pg_try_advisory_xact_lock(
			pg_catalog.hashtextextended(tbl::oid::text || ':' || key::text, 1818978917)) THEN
		RETURN 0;
	END IF;
	EXECUTE pg_catalog.format('INSERT INTO %s (key) VALUES ($1) ON CONFLICT DO NOTHING', head)
		USING key;
	EXECUTE pg_catalog.format('SELECT true FROM %s h WHERE h.key = $1 FOR UPDATE', head)
		INTO locked USING key;
	EXECUTE pg_catalog.format(
		'INSERT INTO %s (key, lo, part) VALUES ($1, 0, ''{}'') ON CONFLICT DO NOTHING', part)
		USING key;
	-- take the pending rows this snapshot sees, merge each part's share
	EXECUTE pg_catalog.format(
		'WITH d AS (DELETE FROM %1$s l WHERE l.key = $1 RETURNING l.element, l.ts, l.removed),'
		' g AS (SELECT (SELECT p.lo FROM %2$s p WHERE p.key = $1'
		'               AND p.lo <= @extschema@.likeset_element_hash(d.element)'
		'               ORDER BY p.lo DESC LIMIT 1) AS lo,'
		'              @extschema@.likeset_agg(d.element, d.ts, d.removed) AS delta,'
		'              pg_catalog.count(*) AS nrows'
		'       FROM d GROUP BY 1),'
		' n AS (SELECT p.lo, p.part AS op, @extschema@.likeset_merge(p.part, g.delta) AS np, g.nrows'
		'       FROM %2$s p JOIN g ON p.key = $1 AND p.lo = g.lo),'
		' u AS (UPDATE %2$s p SET part = n.np FROM n'
		'       WHERE p.key = $1 AND p.lo = n.lo AND n.np OPERATOR(@extschema@.<>) n.op)'
		' SELECT coalesce(pg_catalog.sum(n.nrows), 0) AS nrows,'
		'        coalesce(pg_catalog.sum(@extschema@.likeset_count(n.np) - @extschema@.likeset_count(n.op)), 0) AS dpresent,'
		'        coalesce(pg_catalog.sum(@extschema@.likeset_nentries(n.np) - @extschema@.likeset_nentries(n.op)), 0) AS dentries,'
		'        pg_catalog.array_agg(n.lo) FILTER (WHERE @extschema@.likeset_nentries(n.np) > $2) AS big'
		' FROM n',
		tbl, part)
		INTO r USING key, part_max;
	-- split the parts that outgrew part_max into pieces of at most 3/4 of it
	-- (a part just over the limit splits in two; a bulk load in many)
	nsplit := 0;
	FOREACH lo IN ARRAY coalesce(r.big, '{}') LOOP
		EXECUTE pg_catalog.format(
			'WITH sp AS MATERIALIZED ('
			'  SELECT s.lo, s.part FROM %1$s p, @extschema@.likeset_split(p.part, p.lo, $3) s'
			'  WHERE p.key = $1 AND p.lo = $2),'
			' u AS (UPDATE %1$s p SET part = sp.part FROM sp WHERE p.key = $1 AND p.lo = $2 AND sp.lo = $2)'
			' INSERT INTO %1$s (key, lo, part) SELECT $1, sp.lo, sp.part FROM sp WHERE sp.lo <> $2',
			part) USING key, lo, GREATEST(1, part_max * 3 / 4);
		GET DIAGNOSTICS n = ROW_COUNT;
		nsplit := nsplit + n;
	END LOOP;
	EXECUTE pg_catalog.format(
		'UPDATE %s SET present = present + $2, entries = entries + $3, parts = parts + $4,'
		' folded_at = pg_catalog.now() WHERE key = $1', head)
		USING key, r.dpresent, r.dentries, nsplit;
	RETURN r.nrows;
END
$$;

-- Fold pending rows of a log table into its parts (docs/large-sets.md)
CREATE FUNCTION @extschema@.likeset_fold(tbl regclass, max_keys integer DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lay record := @extschema@.likeset_layout(tbl);
	folded bigint;
BEGIN
	IF NOT lay.is_log THEN
		RAISE EXCEPTION '% is not a likeset log table', tbl
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Create one with likeset_create_log(); a likeset column needs no folding.';
	END IF;
	EXECUTE pg_catalog.format(
		'SELECT coalesce(pg_catalog.sum(@extschema@.likeset_fold_key(%L, %L, %L, %s, l.key)), 0)'
		'  FROM (SELECT DISTINCT key FROM %s LIMIT $1) l', tbl, lay.part, lay.head, lay.part_max, tbl)
		INTO folded USING max_keys;
	RETURN folded;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_fold(regclass, integer) IS
	'fold the pending rows of a log table into its parts (at most max_keys keys); returns the rows folded';
