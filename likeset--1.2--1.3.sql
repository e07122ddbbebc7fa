/* likeset--1.2--1.3.sql: the later writer of a row's other columns (issue 12);
   the hot paths in C, planned once (issue 13) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION likeset UPDATE TO '1.3'" to load this file. \quit

-- == section: the row's write time (issue 12) ==

-- Columns other than likesets go, on apply, to the row with the later
-- write time, a column likeset_replicate() now adds (likeset_row_ts) and
-- this trigger keeps on every local write.  Until 1.2 the merge trigger
-- took the incoming transaction's commit time from the apply worker's
-- replication origin, which PostgreSQL sets only when it commits: while
-- the trigger ran it held the previous transaction's time.
CREATE FUNCTION @extschema@.likeset_row_ts_trigger() RETURNS trigger
	AS 'MODULE_PATHNAME', 'likeset_row_ts_trigger'
	LANGUAGE C;
COMMENT ON FUNCTION @extschema@.likeset_row_ts_trigger() IS
	'row trigger installed by likeset_replicate(): keeps likeset_row_ts, the time of the last local write to the row''s columns other than likesets';

CREATE OR REPLACE FUNCTION @extschema@.likeset_replicate(tbl regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
	SET client_min_messages = warning
AS $$
DECLARE
	rel record;
	ts_type regtype;
BEGIN
	SELECT c.relname, c.relkind, c.relowner, c.relreplident, c.relispartition INTO rel
		FROM pg_catalog.pg_class c WHERE c.oid = tbl;
	IF NOT pg_catalog.pg_has_role(rel.relowner, 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', rel.relname
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF rel.relkind <> 'r' THEN
		RAISE EXCEPTION '"%" is not a table', rel.relname
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'likeset_replicate() works on ordinary tables (not partitioned tables, views or foreign tables).';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
				   WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
					 AND a.atttypid = '@extschema@.likeset'::pg_catalog.regtype) THEN
		RAISE EXCEPTION 'table "%" has no likeset column', rel.relname
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
				   WHERE i.indrelid = tbl
					 AND ((rel.relreplident = 'd' AND i.indisprimary)
						  OR (rel.relreplident = 'i' AND i.indisreplident))) THEN
		RAISE EXCEPTION 'table "%" has no primary key or replica identity index', rel.relname
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Replicated rows are matched by key: add a primary key, or use REPLICA IDENTITY USING INDEX.';
	END IF;
	-- the row's write time: added once, with -infinity for the rows there
	-- are (the same on every node, so none of them wins by it)
	SELECT a.atttypid INTO ts_type FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = tbl AND a.attname = 'likeset_row_ts' AND NOT a.attisdropped;
	IF ts_type IS NULL AND rel.relispartition THEN
		RAISE EXCEPTION 'partition "%" has no column "likeset_row_ts"', rel.relname
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'likeset_replicate() keeps the time of each row''s last write in that column, and a partition has the columns of its partitioned table.',
				  HINT = pg_catalog.format('Add it to the partitioned table: ALTER TABLE %s ADD COLUMN likeset_row_ts timestamptz NOT NULL DEFAULT ''-infinity''.',
										   pg_catalog.pg_partition_root(tbl));
	ELSIF ts_type IS NULL THEN
		EXECUTE pg_catalog.format('ALTER TABLE %s ADD COLUMN likeset_row_ts pg_catalog.timestamptz '
								  'NOT NULL DEFAULT ''-infinity''', tbl);
		EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.likeset_row_ts IS %L', tbl,
			'when this row''s columns other than likesets were last written (kept by likeset_replicate(); on apply the later writer wins)');
	ELSIF ts_type <> 'pg_catalog.timestamptz'::pg_catalog.regtype THEN
		RAISE EXCEPTION 'column "likeset_row_ts" of table "%" has type %, not timestamp with time zone', rel.relname, ts_type
			USING ERRCODE = 'datatype_mismatch',
				  HINT = 'likeset_replicate() keeps the row''s write time in that column: rename or drop yours.';
	END IF;
	EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS likeset_row_ts ON %s', tbl);
	EXECUTE pg_catalog.format('CREATE TRIGGER likeset_row_ts BEFORE INSERT OR UPDATE ON %s '
							  'FOR EACH ROW EXECUTE FUNCTION @extschema@.likeset_row_ts_trigger()', tbl);
	EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS likeset_replicate_merge ON %s', tbl);
	EXECUTE pg_catalog.format('CREATE TRIGGER likeset_replicate_merge BEFORE INSERT OR UPDATE ON %s '
							  'FOR EACH ROW EXECUTE FUNCTION @extschema@.likeset_repl_trigger()', tbl);
	EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE REPLICA TRIGGER likeset_replicate_merge', tbl);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.likeset_unreplicate(tbl regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
	SET client_min_messages = warning
AS $$
DECLARE
	rel record;
BEGIN
	SELECT c.relname, c.relowner INTO rel FROM pg_catalog.pg_class c WHERE c.oid = tbl;
	IF NOT pg_catalog.pg_has_role(rel.relowner, 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', rel.relname
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS likeset_replicate_merge ON %s', tbl);
	EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS likeset_row_ts ON %s', tbl);
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_unreplicate(regclass) IS
	'undo likeset_replicate(): replicated rows overwrite local ones again (the likeset_row_ts column stays)';

-- Tables set up by an older likeset_replicate() have no write time yet:
-- their other columns settle on the greater value, not the later writer,
-- until likeset_replicate() is run again on every node.
DO $$
DECLARE
	t regclass;
BEGIN
	FOR t IN
		SELECT tg.tgrelid::regclass FROM pg_catalog.pg_trigger tg
		WHERE tg.tgname = 'likeset_replicate_merge'
		  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
						  WHERE a.attrelid = tg.tgrelid AND a.attname = 'likeset_row_ts'
							AND NOT a.attisdropped)
	LOOP
		RAISE WARNING 'table % needs likeset_replicate() again', t
			USING DETAIL = 'It adds the column likeset_row_ts, which decides the later writer of the columns other than likesets.',
				  HINT = 'Run SELECT likeset_replicate(''' || t::text || ''') on every node, soon after one another: until a node has the column, rows that carry it stop at its apply worker, which retries.';
	END LOOP;
END
$$;

-- == section: the hot paths in C, planned once (issue 13) ==

-- likeset_like, likeset_unlike, likeset_count and likeset_contains on a
-- table, and the log table's replica trigger, were PL/pgSQL that built
-- their statements with format() and planned them again on every call.
-- They are now C (likeset_like.c): each backend prepares a table's
-- statements once, keeps the plans, and drops them when the table changes
-- (a relcache callback).  Same names, arguments, results and errors.
CREATE OR REPLACE FUNCTION @extschema@.likeset_apply_op(tbl regclass, key anyelement,
	elem text, ts timestamptz, removed boolean)
	RETURNS void LANGUAGE C VOLATILE
	AS 'MODULE_PATHNAME', 'likeset_rel_apply_op';
CREATE OR REPLACE FUNCTION @extschema@.likeset_like(tbl regclass, key anyelement, elem text)
	RETURNS void LANGUAGE C VOLATILE
	AS 'MODULE_PATHNAME', 'likeset_rel_like';
CREATE OR REPLACE FUNCTION @extschema@.likeset_like(tbl regclass, key anyelement, elem text, ts timestamptz)
	RETURNS void LANGUAGE C VOLATILE
	AS 'MODULE_PATHNAME', 'likeset_rel_like';
CREATE OR REPLACE FUNCTION @extschema@.likeset_unlike(tbl regclass, key anyelement, elem text)
	RETURNS void LANGUAGE C VOLATILE
	AS 'MODULE_PATHNAME', 'likeset_rel_unlike';
CREATE OR REPLACE FUNCTION @extschema@.likeset_unlike(tbl regclass, key anyelement, elem text, ts timestamptz)
	RETURNS void LANGUAGE C VOLATILE
	AS 'MODULE_PATHNAME', 'likeset_rel_unlike';
CREATE OR REPLACE FUNCTION @extschema@.likeset_count(tbl regclass, key anyelement) RETURNS bigint
	LANGUAGE C STABLE STRICT
	AS 'MODULE_PATHNAME', 'likeset_rel_count';
CREATE OR REPLACE FUNCTION @extschema@.likeset_contains(tbl regclass, key anyelement, elem text) RETURNS boolean
	LANGUAGE C STABLE STRICT
	AS 'MODULE_PATHNAME', 'likeset_rel_contains';
CREATE OR REPLACE FUNCTION @extschema@.likeset_log_trigger() RETURNS trigger
	LANGUAGE C
	AS 'MODULE_PATHNAME', 'likeset_log_trigger';

-- == section: probes that skip what folds deleted (issue 13) ==

-- A fold deletes the rows it folds; their index entries stay until VACUUM,
-- and a count, which reads every pending row of a key, walked all of them
-- (10 ms right after folding 80,000 likes).  Each log row now records the
-- local transaction that inserted it (local_xid, indexed with the key), and
-- a fold records in the key's head row the xmin of the snapshot it deleted
-- with (fold_xmin): every transaction below it had ended, so each of their
-- rows was visible to the fold and is gone.  likeset_count reads only rows
-- at or after fold_xmin, from the (key, local_xid) index, and so starts
-- past the dead entries.  Log tables made before get the column (0 in
-- their rows, which the first fold of each key removes) and the index.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT t.log, t.head FROM @extschema@.likeset_log_tables t
			 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.log)
	LOOP
		EXECUTE pg_catalog.format(
			'ALTER TABLE %s ADD COLUMN local_xid pg_catalog.xid8 NOT NULL DEFAULT ''0''', r.log);
		EXECUTE pg_catalog.format(
			'ALTER TABLE %s ALTER COLUMN local_xid SET DEFAULT pg_catalog.pg_current_xact_id()', r.log);
		EXECUTE pg_catalog.format('CREATE INDEX ON %s (key, local_xid)', r.log);
		EXECUTE pg_catalog.format('ALTER TABLE %s ADD COLUMN fold_xmin pg_catalog.xid8', r.head);
	END LOOP;
END
$$;

-- A log row's element length and timestamp were checked by two CHECK
-- constraints, which PostgreSQL reads anew (stringToNode) in every
-- statement that writes the table, a like or an applied row: a tenth of an
-- apply worker's time on a log table.  Two C triggers check the same now,
-- likeset_log_check on local writes and likeset_log_trigger (the replica
-- trigger) on applied rows, with the constraints' SQLSTATE (23514).
CREATE FUNCTION @extschema@.likeset_log_check() RETURNS trigger
	AS 'MODULE_PATHNAME', 'likeset_log_check'
	LANGUAGE C;
COMMENT ON FUNCTION @extschema@.likeset_log_check() IS
	'row trigger of log tables: an element of at most 4096 bytes and a finite timestamp';
DO $$
DECLARE
	r record;
	k record;
BEGIN
	FOR r IN SELECT t.log FROM @extschema@.likeset_log_tables t
			 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.log)
	LOOP
		FOR k IN SELECT con.conname FROM pg_catalog.pg_constraint con
				 WHERE con.conrelid = r.log AND con.contype = 'c'
				   AND pg_catalog.pg_get_constraintdef(con.oid) IN
					   ('CHECK ((octet_length(element) <= 4096))', 'CHECK (isfinite(ts))')
		LOOP
			EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.log, k.conname);
		END LOOP;
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER likeset_log_check BEFORE INSERT OR UPDATE OF element, ts ON %s '
			'FOR EACH ROW EXECUTE FUNCTION @extschema@.likeset_log_check()', r.log);
	END LOOP;
END
$$;

-- Create a log table, its part and head tables, and register them; a name
-- without a schema goes to cur_schema, the caller's current schema.
CREATE OR REPLACE FUNCTION @extschema@.likeset_create_log_in(cur_schema name, name text,
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
	-- The fold compares keys with "=" resolved in pg_catalog, the C paths
	-- with the equality of the type's default btree operator class: a type
	-- whose equality lives elsewhere (citext's) would be compared two ways.
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_opclass oc
			   JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod
			   JOIN pg_catalog.pg_amop ao ON ao.amopfamily = oc.opcfamily
					AND ao.amoplefttype = oc.opcintype AND ao.amoprighttype = oc.opcintype
					AND ao.amopstrategy = 3
			   JOIN pg_catalog.pg_operator op ON op.oid = ao.amopopr
			   WHERE am.amname = 'btree' AND oc.opcdefault AND oc.opcintype = key_type
				 AND op.oprnamespace <> 'pg_catalog'::pg_catalog.regnamespace) THEN
		RAISE EXCEPTION 'a log table key cannot be of type %', key_type
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = 'The equality of the type''s default btree operator class is not in pg_catalog.',
				  HINT = 'Use a built-in key type, such as bigint, text or uuid.';
	END IF;
	EXECUTE pg_catalog.format(
		'CREATE TABLE %I.%I ('
		'key %s NOT NULL, '
		'element text COLLATE "C" NOT NULL, '
		'ts timestamptz NOT NULL, '
		'removed boolean NOT NULL DEFAULT false, '
		'local_xid pg_catalog.xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id())', sch, rel, key_type);
	log := pg_catalog.format('%I.%I', sch, rel)::regclass;
	EXECUTE pg_catalog.format('CREATE INDEX ON %s (key, element)', log);
	EXECUTE pg_catalog.format('CREATE INDEX ON %s (key, local_xid)', log);
	EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.local_xid IS %L', log,
		'node-local: the transaction that inserted the row on this node (likeset_log_trigger sets it for replicated rows); likeset_count reads only rows at or after the last fold''s snapshot xmin');
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
		'folded_at timestamptz, '
		'fold_xmin pg_catalog.xid8)', sch, rel || '_head', key_type);
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER likeset_log_dedupe BEFORE INSERT ON %s '
		'FOR EACH ROW EXECUTE FUNCTION @extschema@.likeset_log_trigger()', log);
	EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE REPLICA TRIGGER likeset_log_dedupe', log);
	-- the element's length and a finite timestamp (likeset_log_trigger
	-- checks them on applied rows)
	EXECUTE pg_catalog.format(
		'CREATE TRIGGER likeset_log_check BEFORE INSERT OR UPDATE OF element, ts ON %s '
		'FOR EACH ROW EXECUTE FUNCTION @extschema@.likeset_log_check()', log);
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
-- Fold the pending rows of one key (see likeset_fold).  A polymorphic
-- function, so that PL/pgSQL keeps one compiled copy per key type.
CREATE OR REPLACE FUNCTION @extschema@.likeset_fold_key(tbl regclass, part regclass, head regclass,
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
		' SELECT pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot()) AS xmin,'
		'        coalesce(pg_catalog.sum(n.nrows), 0) AS nrows,'
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
		' folded_at = pg_catalog.now(), fold_xmin = $5 WHERE key = $1', head)
		USING key, r.dpresent, r.dentries, nsplit, r.xmin;
	RETURN r.nrows;
END
$$;


-- == section: compaction never waits for a row lock, and rewrites rows in key order (issue 12) ==

-- A compaction round rewrites many rows in one transaction.  Waiting for a
-- row lock there could close a deadlock cycle with an apply worker that
-- applies a peer's multi-row transaction, and the deadlock detector may
-- then cancel the apply worker, which stops replication until it restarts.
-- So a round locks the rows it rewrites with SKIP LOCKED and never waits:
-- a row locked by another transaction is left for the next round.  And
-- since every node's rounds are published, a node applies two peers'
-- rounds at once in two apply workers, which take the rows' locks in the
-- order the peers wrote them: a round rewrites its rows in the order of
-- the table's replica identity key, the same on every node, so the
-- workers lock in one order and never deadlock (src/likeset_compact.c).
CREATE FUNCTION @extschema@.likeset_compact_rows(tbl regclass, col name, horizon timestamptz)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'likeset_compact_rows'
	LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION @extschema@.likeset_compact_rows(regclass, name, timestamptz) IS
	'the rewrites of a compaction round, in key order, skipping locked rows; call likeset_compact_table()';

CREATE OR REPLACE FUNCTION @extschema@.likeset_compact_table(tbl regclass, horizon timestamptz DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lay record := @extschema@.likeset_layout(tbl);
	h timestamptz := coalesce(horizon, @extschema@.likeset_safe_horizon());
BEGIN
	IF lay.is_log THEN
		RAISE EXCEPTION 'likeset_compact_table does not compact log tables'
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = 'Nodes exchange only operations for a log table, never states, so a horizon recorded on one node would not reach the others, and a late operation could be kept on one node and dropped on another.',
				  HINT = 'Tombstones of a log table stay in its parts; see the README.';
	END IF;
	IF h IS NULL THEN
		RAISE NOTICE 'no safe horizon now: a subscription is disabled, down, or has not reported progress; nothing compacted';
		RETURN 0;
	END IF;
	IF h > pg_catalog.now() THEN
		RAISE EXCEPTION 'horizon % is in the future', h
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use likeset_safe_horizon(), which is always in the past.';
	END IF;
	RETURN @extschema@.likeset_compact_rows(tbl, lay.set_col, h);
END
$$;
