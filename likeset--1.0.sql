/* likeset--1.0.sql: the likeset type, a last-writer-wins element set */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION likeset" to load this file. \quit

CREATE TYPE @extschema@.likeset;

CREATE FUNCTION @extschema@.likeset_in(cstring) RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_in'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.likeset_out(@extschema@.likeset) RETURNS cstring
	AS 'MODULE_PATHNAME', 'likeset_out'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.likeset_recv(internal) RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.likeset_send(@extschema@.likeset) RETURNS bytea
	AS 'MODULE_PATHNAME', 'likeset_send'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- STORAGE main: compressed, but kept in the row while it fits in a page
-- (up to about 8 kB), so that a like or a membership test on a mid-size set
-- does not go through the TOAST table; larger sets still move out of line.
CREATE TYPE @extschema@.likeset (
	INTERNALLENGTH = variable,
	INPUT = @extschema@.likeset_in,
	OUTPUT = @extschema@.likeset_out,
	RECEIVE = @extschema@.likeset_recv,
	SEND = @extschema@.likeset_send,
	ALIGNMENT = double,
	STORAGE = main
);

COMMENT ON TYPE @extschema@.likeset IS
	'last-writer-wins element set: each text element with the timestamp of its last add or remove';

-- Operations.  Without a timestamp an operation reads the clock: VOLATILE.

CREATE FUNCTION @extschema@.likeset_add(s @extschema@.likeset, elem text)
	RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_add'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_add(@extschema@.likeset, text) IS
	'add (like) elem now: at greatest(current time, highest timestamp in s + 1 microsecond)';

CREATE FUNCTION @extschema@.likeset_add(s @extschema@.likeset, elem text, ts timestamptz)
	RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_add_at'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_add(@extschema@.likeset, text, timestamptz) IS
	'add (like) elem at ts: a merge with a one-element set';

CREATE FUNCTION @extschema@.likeset_remove(s @extschema@.likeset, elem text)
	RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_remove'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_remove(@extschema@.likeset, text) IS
	'remove (unlike) elem now, leaving a tombstone';

CREATE FUNCTION @extschema@.likeset_remove(s @extschema@.likeset, elem text, ts timestamptz)
	RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_remove_at'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_remove(@extschema@.likeset, text, timestamptz) IS
	'remove (unlike) elem at ts, leaving a tombstone';

CREATE FUNCTION @extschema@.likeset_merge(a @extschema@.likeset, b @extschema@.likeset)
	RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_merge_fn'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_merge(@extschema@.likeset, @extschema@.likeset) IS
	'join of two states: per element the later operation, remove winning ties';

CREATE FUNCTION @extschema@.likeset_contains(s @extschema@.likeset, elem text)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'likeset_contains'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_contains(@extschema@.likeset, text) IS
	'is elem present (its last operation an add)?';

CREATE FUNCTION @extschema@.likeset_count(s @extschema@.likeset)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'likeset_count'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_count(@extschema@.likeset) IS
	'number of present elements, read from the header';

CREATE FUNCTION @extschema@.likeset_elements(s @extschema@.likeset)
	RETURNS SETOF text
	AS 'MODULE_PATHNAME', 'likeset_elements'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_elements(@extschema@.likeset) IS
	'present elements in byte order';

CREATE FUNCTION @extschema@.likeset_entries(s @extschema@.likeset,
		OUT element text, OUT ts timestamptz, OUT removed boolean)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'likeset_entries'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_entries(@extschema@.likeset) IS
	'every entry in byte order, tombstones included';

CREATE FUNCTION @extschema@.likeset_compact(s @extschema@.likeset, horizon timestamptz)
	RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_compact_fn'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_compact(@extschema@.likeset, timestamptz) IS
	'drop tombstones older than horizon (a time every node has passed)';

CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.likeset, RIGHTARG = text,
	FUNCTION = @extschema@.likeset_add
);
CREATE OPERATOR @extschema@.- (
	LEFTARG = @extschema@.likeset, RIGHTARG = text,
	FUNCTION = @extschema@.likeset_remove
);
CREATE OPERATOR @extschema@.| (
	LEFTARG = @extschema@.likeset, RIGHTARG = @extschema@.likeset,
	FUNCTION = @extschema@.likeset_merge,
	COMMUTATOR = OPERATOR(@extschema@.|)
);
CREATE OPERATOR @extschema@.@> (
	LEFTARG = @extschema@.likeset, RIGHTARG = text,
	FUNCTION = @extschema@.likeset_contains
);

-- Comparison of whole states (tombstones and timestamps included).

CREATE FUNCTION @extschema@.likeset_eq(@extschema@.likeset, @extschema@.likeset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'likeset_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.likeset_ne(@extschema@.likeset, @extschema@.likeset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'likeset_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION @extschema@.likeset_lt(@extschema@.likeset, @extschema@.likeset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'likeset_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_le(@extschema@.likeset, @extschema@.likeset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'likeset_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_gt(@extschema@.likeset, @extschema@.likeset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'likeset_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_ge(@extschema@.likeset, @extschema@.likeset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'likeset_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_cmp(@extschema@.likeset, @extschema@.likeset) RETURNS integer
	AS 'MODULE_PATHNAME', 'likeset_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_hash(@extschema@.likeset) RETURNS integer
	AS 'MODULE_PATHNAME', 'likeset_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_hash_extended(@extschema@.likeset, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'likeset_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.likeset, RIGHTARG = @extschema@.likeset,
	FUNCTION = @extschema@.likeset_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.likeset, RIGHTARG = @extschema@.likeset,
	FUNCTION = @extschema@.likeset_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.likeset, RIGHTARG = @extschema@.likeset,
	FUNCTION = @extschema@.likeset_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.likeset, RIGHTARG = @extschema@.likeset,
	FUNCTION = @extschema@.likeset_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.likeset, RIGHTARG = @extschema@.likeset,
	FUNCTION = @extschema@.likeset_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.likeset, RIGHTARG = @extschema@.likeset,
	FUNCTION = @extschema@.likeset_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

-- An arbitrary but fixed total order (entries compared element by element),
-- so that sorting, DISTINCT, GROUP BY, UNIQUE and REPLICA IDENTITY FULL work.
CREATE OPERATOR CLASS @extschema@.likeset_ops
	DEFAULT FOR TYPE @extschema@.likeset USING btree AS
		OPERATOR 1 @extschema@.<,
		OPERATOR 2 @extschema@.<=,
		OPERATOR 3 @extschema@.=,
		OPERATOR 4 @extschema@.>=,
		OPERATOR 5 @extschema@.>,
		FUNCTION 1 @extschema@.likeset_cmp(@extschema@.likeset, @extschema@.likeset);

CREATE OPERATOR CLASS @extschema@.likeset_hash_ops
	DEFAULT FOR TYPE @extschema@.likeset USING hash AS
		OPERATOR 1 @extschema@.=,
		FUNCTION 1 @extschema@.likeset_hash(@extschema@.likeset),
		FUNCTION 2 @extschema@.likeset_hash_extended(@extschema@.likeset, bigint);

-- Aggregates: an internal state of sorted runs (see likeset_agg.c).

CREATE FUNCTION @extschema@.likeset_merge_agg_trans(internal, @extschema@.likeset)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'likeset_merge_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- not STRICT: the first state is NULL
CREATE FUNCTION @extschema@.likeset_agg_trans(internal, text)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'likeset_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- not STRICT: the first state is NULL
CREATE FUNCTION @extschema@.likeset_agg_trans(internal, text, timestamptz)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'likeset_agg_ts_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- not STRICT: the first state is NULL
CREATE FUNCTION @extschema@.likeset_agg_combine(internal, internal)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'likeset_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- internal combine may not be STRICT
CREATE FUNCTION @extschema@.likeset_agg_final(internal)
	RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_agg_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;	-- not STRICT: no rows gives NULL
CREATE FUNCTION @extschema@.likeset_agg_serialize(internal)
	RETURNS bytea
	AS 'MODULE_PATHNAME', 'likeset_agg_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_agg_deserialize(bytea, internal)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'likeset_agg_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.likeset_merge_agg(@extschema@.likeset) (
	SFUNC = @extschema@.likeset_merge_agg_trans,
	STYPE = internal,
	FINALFUNC = @extschema@.likeset_agg_final,
	COMBINEFUNC = @extschema@.likeset_agg_combine,
	SERIALFUNC = @extschema@.likeset_agg_serialize,
	DESERIALFUNC = @extschema@.likeset_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.likeset_merge_agg(@extschema@.likeset) IS
	'join of all states in the group; NULLs are skipped';

CREATE AGGREGATE @extschema@.likeset_agg(text) (
	SFUNC = @extschema@.likeset_agg_trans,
	STYPE = internal,
	FINALFUNC = @extschema@.likeset_agg_final,
	COMBINEFUNC = @extschema@.likeset_agg_combine,
	SERIALFUNC = @extschema@.likeset_agg_serialize,
	DESERIALFUNC = @extschema@.likeset_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.likeset_agg(text) IS
	'set of the elements, present at the lowest timestamp like a bare literal';

CREATE AGGREGATE @extschema@.likeset_agg(text, timestamptz) (
	SFUNC = @extschema@.likeset_agg_trans,
	STYPE = internal,
	FINALFUNC = @extschema@.likeset_agg_final,
	COMBINEFUNC = @extschema@.likeset_agg_combine,
	SERIALFUNC = @extschema@.likeset_agg_serialize,
	DESERIALFUNC = @extschema@.likeset_agg_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.likeset_agg(text, timestamptz) IS
	'set of the elements, each added at its timestamp (the latest one wins)';

-- Replication: merge on apply (see src/likeset_repl.c and README).
-- Apply workers run with an empty search_path: everything here is pinned.

CREATE FUNCTION @extschema@.likeset_repl_trigger() RETURNS trigger
	AS 'MODULE_PATHNAME', 'likeset_repl_trigger'
	LANGUAGE C
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.likeset_repl_trigger() IS
	'replica-only row trigger installed by likeset_replicate(): merges replicated rows into local ones';

CREATE FUNCTION @extschema@.likeset_replicate(tbl regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
	SET client_min_messages = warning
AS $$
DECLARE
	rel record;
BEGIN
	SELECT c.relname, c.relkind, c.relowner, c.relreplident INTO rel
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
	IF pg_catalog.current_setting('track_commit_timestamp') = 'off'
	   AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
				   WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
					 AND a.atttypid <> '@extschema@.likeset'::pg_catalog.regtype
					 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
									 WHERE i.indrelid = tbl AND i.indisunique
									   AND a.attnum = ANY (i.indkey))) THEN
		RAISE WARNING 'track_commit_timestamp is off: on table "%", concurrent changes of columns other than likesets on several nodes will not settle', rel.relname
			USING HINT = 'Set track_commit_timestamp = on on every node: other columns then go to the latest commit.';
	END IF;
	EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS likeset_replicate_merge ON %s', tbl);
	EXECUTE pg_catalog.format('CREATE TRIGGER likeset_replicate_merge BEFORE INSERT OR UPDATE ON %s '
							  'FOR EACH ROW EXECUTE FUNCTION @extschema@.likeset_repl_trigger()', tbl);
	EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE REPLICA TRIGGER likeset_replicate_merge', tbl);
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_replicate(regclass) IS
	'make logical replication merge the table''s likeset columns on apply instead of overwriting them';

CREATE FUNCTION @extschema@.likeset_unreplicate(tbl regclass) RETURNS void
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
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_unreplicate(regclass) IS
	'undo likeset_replicate(): replicated rows overwrite local ones again';
