/* likeset--1.3--1.4.sql: the packed value format, version 3 (issue 14) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION likeset UPDATE TO '1.4'" to load this file. \quit

-- The library of 1.4 stores every value it writes in format version 3
-- (front-coded elements, bit-packed timestamps: about half the bytes of
-- versions 1 and 2) and still reads versions 1 and 2.  The update leaves
-- stored values as they are: each is written in version 3 the next time it
-- changes, and likeset_stats counts those not yet rewritten.

CREATE FUNCTION @extschema@.likeset_format_version(s @extschema@.likeset) RETURNS integer
	AS 'MODULE_PATHNAME', 'likeset_format_version'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.likeset_format_version(@extschema@.likeset) IS
	'stored format version of s: 1 or 2 (written by likeset 1.0 to 1.3, still read), 3 (packed, written from 1.4 on)';

-- likeset_stats gains old_format: values still stored in version 1 or 2
DROP FUNCTION @extschema@.likeset_stats(regclass);
CREATE FUNCTION @extschema@.likeset_stats(tbl regclass,
	OUT keys bigint, OUT present bigint, OUT entries bigint, OUT tombstones bigint,
	OUT tombstone_bytes bigint, OUT stored_bytes bigint, OUT pending bigint,
	OUT oldest_horizon timestamptz, OUT newest_horizon timestamptz,
	OUT old_format bigint)
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
		'       pg_catalog.min(@extschema@.likeset_horizon(%1$s)), pg_catalog.max(@extschema@.likeset_horizon(%1$s)),'
		'       pg_catalog.count(*) FILTER (WHERE @extschema@.likeset_format_version(%1$s) OPERATOR(pg_catalog.<) 3)'
		'  FROM %3$s t',
		't.' || col, 't.' || pg_catalog.quote_ident(CASE WHEN lay.is_log THEN 'key' ELSE lay.key_col END), src)
		INTO keys, present, entries, tombstones, tombstone_bytes, stored_bytes,
			 oldest_horizon, newest_horizon, old_format;
END
$$;
COMMENT ON FUNCTION @extschema@.likeset_stats(regclass) IS
	'keys, present elements, entries, tombstones and their bytes, stored bytes, pending log rows, horizons, and values still in the format of likeset 1.3 and before, of a table''s likes';
