/* likeset--1.1--1.2.sql: living with likes for years (issue 7) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION likeset UPDATE TO '1.2'" to load this file. \quit

-- == section: GIN index, casts, digest (keep edits inside this section) ==

-- A GIN index over the present elements (tombstones are not indexed), for
-- `likes @> elem`: which rows hold elem?  Keys are text compared byte by
-- byte, never by collation (see src/likeset_gin.c).  As for jsonb's
-- operator classes, the query argument of the support functions is
-- declared with the indexed type (amvalidate expects it), although for @>
-- it is the text element.
CREATE FUNCTION @extschema@.likeset_gin_compare(text, text) RETURNS integer
	AS 'MODULE_PATHNAME', 'likeset_gin_compare'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_gin_extract_value(@extschema@.likeset, internal, internal)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'likeset_gin_extract_value'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_gin_extract_query(@extschema@.likeset, internal, int2, internal, internal, internal, internal)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'likeset_gin_extract_query'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_gin_consistent(internal, int2, @extschema@.likeset, int4, internal, internal, internal, internal)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'likeset_gin_consistent'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.likeset_gin_triconsistent(internal, int2, @extschema@.likeset, int4, internal, internal, internal)
	RETURNS "char"
	AS 'MODULE_PATHNAME', 'likeset_gin_triconsistent'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR CLASS @extschema@.likeset_gin_ops
	DEFAULT FOR TYPE @extschema@.likeset USING gin AS
		OPERATOR 7 @extschema@.@> (@extschema@.likeset, text),
		FUNCTION 1 @extschema@.likeset_gin_compare(text, text),
		FUNCTION 2 @extschema@.likeset_gin_extract_value(@extschema@.likeset, internal, internal),
		FUNCTION 3 @extschema@.likeset_gin_extract_query(@extschema@.likeset, internal, int2, internal, internal, internal, internal),
		FUNCTION 4 @extschema@.likeset_gin_consistent(internal, int2, @extschema@.likeset, int4, internal, internal, internal, internal),
		FUNCTION 6 @extschema@.likeset_gin_triconsistent(internal, int2, @extschema@.likeset, int4, internal, internal, internal),
		STORAGE text;

-- @> had no selectivity estimator, so the planner guessed that half the
-- rows match and never chose the index.  matchingsel applies @> to the
-- column's statistics (and guesses 1% without them), as jsonb's @> does.
ALTER OPERATOR @extschema@.@> (@extschema@.likeset, text)
	SET (RESTRICT = pg_catalog.matchingsel, JOIN = pg_catalog.matchingjoinsel);

-- Casts, explicit only: likeset → text[] (present elements, byte order),
-- likeset → jsonb ({element: add time in the fixed UTC form}), text[] →
-- likeset (elements present at the lowest timestamp, as a bare literal).
CREATE FUNCTION @extschema@.likeset_to_array(s @extschema@.likeset) RETURNS text[]
	AS 'MODULE_PATHNAME', 'likeset_to_array'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_to_array(@extschema@.likeset) IS
	'the present elements as an array, in byte order (the cast likeset::text[])';
CREATE FUNCTION @extschema@.likeset_to_jsonb(s @extschema@.likeset) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'likeset_to_jsonb'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_to_jsonb(@extschema@.likeset) IS
	'the present elements as a jsonb object, each mapped to the time of its add in fixed UTC form (the cast likeset::jsonb)';
CREATE FUNCTION @extschema@.likeset_from_array(a text[]) RETURNS @extschema@.likeset
	AS 'MODULE_PATHNAME', 'likeset_from_array'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_from_array(text[]) IS
	'a set of the array''s elements, present at the lowest timestamp like a bare literal (the cast text[]::likeset); a NULL element is an error';

CREATE CAST (@extschema@.likeset AS text[])
	WITH FUNCTION @extschema@.likeset_to_array(@extschema@.likeset);
CREATE CAST (@extschema@.likeset AS jsonb)
	WITH FUNCTION @extschema@.likeset_to_jsonb(@extschema@.likeset);
CREATE CAST (text[] AS @extschema@.likeset)
	WITH FUNCTION @extschema@.likeset_from_array(text[]);

-- A digest of the whole state, to check that nodes agree.
CREATE FUNCTION @extschema@.likeset_digest(s @extschema@.likeset) RETURNS text
	AS 'MODULE_PATHNAME', 'likeset_digest'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_digest(@extschema@.likeset) IS
	'32 hex digits (SHA-256 truncated to 128 bits) of the whole state: elements, timestamps, tombstones and horizon; equal exactly when the states are equal, up to hash collisions';

CREATE FUNCTION @extschema@.likeset_digest(tbl regclass, key anyelement) RETURNS text
	LANGUAGE sql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
	AS $$ SELECT @extschema@.likeset_digest(@extschema@.likeset_value(tbl, key)) $$;
COMMENT ON FUNCTION @extschema@.likeset_digest(regclass, anyelement) IS
	'the digest of the whole state of key in tbl (a log table or a table with a likeset column): likeset_digest(likeset_value(tbl, key))';

-- == end of section: GIN index, casts, digest ==

-- == section: tombstone horizon, compaction, statistics (keep edits inside this section) ==

CREATE FUNCTION @extschema@.likeset_horizon(s @extschema@.likeset) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'likeset_horizon_fn'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_horizon(@extschema@.likeset) IS
	'the compaction horizon recorded in s (operations older than it on elements s does not list change nothing), NULL if none';

COMMENT ON FUNCTION @extschema@.likeset_compact(@extschema@.likeset, timestamptz) IS
	'drop tombstones older than horizon, and record the horizon that protects them: a late operation older than a dropped tombstone cannot bring its element back';

CREATE FUNCTION @extschema@.likeset_tombstone_bytes(s @extschema@.likeset) RETURNS bigint
	AS 'MODULE_PATHNAME', 'likeset_tombstone_bytes'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_tombstone_bytes(@extschema@.likeset) IS
	'bytes the tombstones of s take (timestamp, offset and element of each)';

-- Tombstones and sizes of a table's likes, either layout
CREATE FUNCTION @extschema@.likeset_stats(tbl regclass,
	OUT keys bigint, OUT present bigint, OUT entries bigint, OUT tombstones bigint,
	OUT tombstone_bytes bigint, OUT stored_bytes bigint, OUT pending bigint,
	OUT oldest_horizon timestamptz, OUT newest_horizon timestamptz)
	RETURNS record
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lay record := @extschema@.likeset_layout(tbl);
	src text;
	col text;
BEGIN
	IF lay.is_log THEN
		src := lay.part::text;
		col := 'part';
		EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', tbl) INTO pending;
	ELSE
		src := tbl::text;
		col := pg_catalog.quote_ident(lay.set_col);
		pending := 0;
	END IF;
	EXECUTE pg_catalog.format(
		'SELECT pg_catalog.count(DISTINCT %2$s), coalesce(pg_catalog.sum(@extschema@.likeset_count(%1$s)), 0),'
		'       coalesce(pg_catalog.sum(@extschema@.likeset_nentries(%1$s)), 0),'
		'       coalesce(pg_catalog.sum(@extschema@.likeset_nentries(%1$s) - @extschema@.likeset_count(%1$s)), 0),'
		'       coalesce(pg_catalog.sum(@extschema@.likeset_tombstone_bytes(%1$s)), 0),'
		'       coalesce(pg_catalog.sum(pg_catalog.pg_column_size(%1$s)), 0),'
		'       pg_catalog.min(@extschema@.likeset_horizon(%1$s)), pg_catalog.max(@extschema@.likeset_horizon(%1$s))'
		'  FROM %3$s t',
		't.' || col, 't.' || pg_catalog.quote_ident(CASE WHEN lay.is_log THEN 'key' ELSE lay.key_col END), src)
		INTO keys, present, entries, tombstones, tombstone_bytes, stored_bytes,
			 oldest_horizon, newest_horizon;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_stats(regclass) IS
	'keys, present elements, entries, tombstones and their bytes, stored bytes, pending log rows and horizons of a table''s likes';

-- The time before which this node has applied every operation of every
-- peer it subscribes to, less a margin for clock skew, delivery delays and
-- late client timestamps; NULL when a subscription is disabled, has no
-- running apply worker or has not reported progress (see README).
CREATE FUNCTION @extschema@.likeset_safe_horizon(margin interval DEFAULT '1 hour')
	RETURNS timestamptz
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h timestamptz := pg_catalog.now();
	r record;
BEGIN
	IF margin < interval '0' THEN
		RAISE EXCEPTION 'margin must not be negative'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR r IN
		SELECT s.subname, s.subenabled, w.pid, w.latest_end_lsn, w.latest_end_time,
			   w.received_lsn
		FROM pg_subscription s
		LEFT JOIN pg_stat_subscription w ON w.subid = s.oid AND w.relid IS NULL
		WHERE s.subdbid = (SELECT d.oid FROM pg_database d
						   WHERE d.datname = pg_catalog.current_database())
	LOOP
		-- a subscription whose progress is unknown: nothing is safe
		IF NOT r.subenabled OR r.pid IS NULL OR r.latest_end_time IS NULL THEN
			RETURN NULL;
		END IF;
		-- everything the peer had written when it last reported its WAL end
		-- was applied here by latest_end_time (messages arrive in order)
		h := LEAST(h, r.latest_end_time);
	END LOOP;
	RETURN h - margin;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_safe_horizon(interval) IS
	'time before which this node has applied every operation of every peer it subscribes to, less margin; NULL when some subscription''s progress is unknown';

-- Compact every likeset of a table (value layout) at a horizon, by default
-- this node's safe horizon; returns the rows rewritten.  Replication then
-- carries each compacted value, and its horizon, to the peers.
CREATE FUNCTION @extschema@.likeset_compact_table(tbl regclass, horizon timestamptz DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lay record := @extschema@.likeset_layout(tbl);
	h timestamptz := coalesce(horizon, @extschema@.likeset_safe_horizon());
	n bigint;
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
	EXECUTE pg_catalog.format(
		'UPDATE %1$s SET %2$I = @extschema@.likeset_compact(%2$I, $1)'
		' WHERE @extschema@.likeset_nentries(%2$I) > @extschema@.likeset_count(%2$I)'
		'   AND @extschema@.likeset_compact(%2$I, $1) OPERATOR(@extschema@.<>) %2$I',
		tbl, lay.set_col)
		USING h;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_compact_table(regclass, timestamptz) IS
	'compact the likes of every row of a table at horizon (default: likeset_safe_horizon()); returns the rows rewritten';

-- == end of section: tombstone horizon, compaction, statistics ==
