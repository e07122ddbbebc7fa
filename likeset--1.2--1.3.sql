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
