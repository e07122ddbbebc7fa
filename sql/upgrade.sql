-- Upgrades: a database created at 1.0 and taken through the chain of
-- upgrade scripts (1.0 -> 1.1 -> 1.2 -> 1.3) keeps reading its values exactly as
-- before, and ends with the same extension objects as a fresh CREATE
-- EXTENSION.  Values in the version 1 stored format, built byte by byte
-- from the layout in src/likeset.h, stand for what 1.0 and 1.1 wrote.
--
-- The test makes two databases of its own (the regression database already
-- has the extension), and returns to the regression database at the end.

SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regression_likeset_upgraded;
DROP DATABASE IF EXISTS regression_likeset_fresh;
RESET client_min_messages;
CREATE DATABASE regression_likeset_upgraded
	TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
CREATE DATABASE regression_likeset_fresh
	TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';

--------------------------------------------------------------------------
-- Database A: version 1.0, with data
--------------------------------------------------------------------------
\c regression_likeset_upgraded
SET TimeZone = 'UTC';
CREATE EXTENSION likeset VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'likeset';
-- a world without the log layout: none of the functions 1.1 brings
SELECT count(*) AS functions_of_1_1 FROM pg_proc
WHERE proname IN ('likeset_create_log', 'likeset_like', 'likeset_fold', 'likeset_nentries');

CREATE TABLE pages (page_id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
-- likes and unlikes, tombstones among them
INSERT INTO pages VALUES (1,
	likeset_remove(likeset_remove(
		likeset_add(likeset_add(likeset_add('{}', 'tahir', '2026-11-28 10:00:00+00'),
			'tara', '2026-11-28 10:00:01.5+00'), 'zoe', '2026-11-28 10:00:02+00'),
		'tahir', '2026-11-28 10:05:00+00'), 'nobody', '2026-11-28 09:00:00+00'));
-- odd elements: empty, quoted characters, a leading -, non-ASCII bytes,
-- upper and lower case (byte order), a bare one (lowest timestamp), and
-- the extremes of the timestamp range
INSERT INTO pages
SELECT 2, likeset_remove(likeset_agg(e, ts), 'with,comma', '2026-11-28 11:00:00+00')
FROM (VALUES ('', timestamptz '2026-11-28 10:00:00+00'),
			 ('-dash', '2026-11-28 10:00:00.000001+00'),
			 ('with,comma', '2026-11-28 10:00:00+00'),
			 ('quote"and\backslash', '2026-11-28 10:00:00+00'),
			 ('a space', '2026-11-28 10:00:00+00'),
			 ('{braces}@at', '2026-11-28 10:00:00+00'),
			 ('é', '2026-11-28 10:00:00+00'),
			 ('日本', '2026-11-28 10:00:00+00'),
			 ('A', '2026-11-28 10:00:00+00'),
			 ('a', '2026-11-28 10:00:00+00'),
			 ('late', '294276-12-31 23:59:59.999999+00'),
			 ('early', '4713-01-01 00:00:00+00 BC')) AS ops(e, ts);
UPDATE pages SET likes = likes | '{legacy_user}' WHERE page_id = 2;
-- empty, and nothing but tombstones
INSERT INTO pages VALUES (3, '{}'),
	(4, '{-gone@2026-11-28T10:00:00Z,-left@2026-11-28T10:00:01Z}');
-- a set large enough to be stored out of line (TOAST)
INSERT INTO pages
SELECT 5, likeset_agg('user' || i, timestamptz '2026-11-28 00:00:00+00' + i * interval '1 second')
FROM generate_series(1, 3000) AS i;
UPDATE pages SET likes = likeset_remove(likes, 'user1500', '2026-11-29 00:00:00+00') WHERE page_id = 5;
SELECT page_id, likes FROM pages WHERE page_id <= 4 ORDER BY page_id;
SELECT likeset_count(likes) AS n,
	   (SELECT pg_relation_size(reltoastrelid) > 0 FROM pg_class WHERE relname = 'pages') AS out_of_line
FROM pages WHERE page_id = 5;

-- The stored format, by hand.  likeset_image: bytea's input and output
-- with likeset's double alignment, so that a binary-coercible cast can
-- hand raw bytes to likeset (bytea itself cannot: its alignment differs,
-- and CREATE CAST ... WITHOUT FUNCTION wants the same physical layout).
-- The image's varlena header is the datum's own; its bytes start at
-- LikesetData.version.
SET client_min_messages = warning;
CREATE TYPE likeset_image;
CREATE FUNCTION likeset_image_in(cstring) RETURNS likeset_image
	AS 'byteain' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION likeset_image_out(likeset_image) RETURNS cstring
	AS 'byteaout' LANGUAGE internal IMMUTABLE STRICT;
RESET client_min_messages;
CREATE TYPE likeset_image (INPUT = likeset_image_in, OUTPUT = likeset_image_out,
	INTERNALLENGTH = variable, ALIGNMENT = double, STORAGE = plain);
CREATE CAST (likeset_image AS likeset) WITHOUT FUNCTION;
CREATE CAST (likeset AS likeset_image) WITHOUT FUNCTION;

-- Integers are stored in the machine's byte order.  The empty set's image
-- tells which: its maxts, bytes 12 to 19 of the image, is INT64_MIN
-- (0x8000000000000000), so 0x80 comes last on a little-endian machine and
-- first on a big-endian one.  (The rest of the test does not depend on it.)
CREATE FUNCTION image_bytes(likeset_image) RETURNS bytea
	LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT decode(substr($1::text, 3), 'hex') $$;
SELECT encode(substr(image_bytes('{}'::likeset::likeset_image), 13, 8), 'hex') AS empty_maxts,
	   get_byte(image_bytes('{}'::likeset::likeset_image), 19) = 128 AS little_endian;
CREATE FUNCTION native(n bigint, width int) RETURNS bytea
	LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT CASE WHEN get_byte(image_bytes('{}'::likeset::likeset_image), 19) = 128
		THEN (SELECT string_agg(substr(be, i, 1), ''::bytea ORDER BY i DESC)
			  FROM generate_series(1, width) AS i)
		ELSE be END
	FROM (SELECT substr(int8send(n), 9 - width) AS be) AS s $$;
-- microseconds since 2000-01-01 00:00:00 UTC, PostgreSQL's epoch
CREATE FUNCTION us(t timestamptz) RETURNS bigint
	LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT ((extract(epoch FROM t) - 946684800) * 1000000)::bigint $$;
-- The image of a set: elements given in byte order, each with its
-- timestamp and removed flag.
--   version(1) flags(1) reserved(2) nentries(4) npresent(4) maxts(8)
--   horizon(8), then ts[n] (8 each), ends[n] (4 each: end offset of the
--   element's bytes, top bit set for a tombstone), then the element bytes
CREATE FUNCTION image(version int, horizon bigint, elems text[], tss timestamptz[], removed boolean[])
	RETURNS likeset_image LANGUAGE sql IMMUTABLE AS $$
	WITH e AS (
		SELECT i, convert_to(elems[i], 'UTF8') AS b, us(tss[i]) AS ts, removed[i] AS rm
		FROM generate_subscripts(elems, 1) AS i
	), o AS (
		SELECT *, sum(length(b)) OVER (ORDER BY i) AS endoff FROM e
	), img AS (
		SELECT native(version, 1) || '\x000000'::bytea
			|| native(count(*), 4) || native(count(*) FILTER (WHERE NOT rm), 4)
			|| native(coalesce(max(ts), '-9223372036854775808'), 8) || native(horizon, 8)
			|| coalesce(string_agg(native(ts, 8), ''::bytea ORDER BY i), '')
			|| coalesce(string_agg(native(endoff + CASE WHEN rm THEN 2147483648 ELSE 0 END, 4),
								   ''::bytea ORDER BY i), '')
			|| coalesce(string_agg(b, ''::bytea ORDER BY i), '') AS bytes
		FROM o
	)
	SELECT ('\x' || encode(bytes, 'hex'))::likeset_image FROM img $$;

-- A version 1 image, as 1.0 writes it: {-bob@…,carol@…,"é"@…}, no horizon
SELECT image(1, '-9223372036854775808', ARRAY['bob', 'carol', 'é'],
			 ARRAY['2026-11-28 10:00:00+00', '2026-11-28 10:00:00.25+00',
				   '4714-11-24 00:00:00+00 BC']::timestamptz[],
			 ARRAY[true, false, false]) AS v1 \gset
-- it reads as the set it holds; this library writes the same set in
-- version 3 (its bytes are checked after the update to 1.4)
SELECT :'v1'::likeset_image::likeset
	 = '{-bob@2026-11-28T10:00:00Z,carol@2026-11-28T10:00:00.25Z,é}'::likeset AS same_set,
	 get_byte(image_bytes('{-bob@2026-11-28T10:00:00Z,carol@2026-11-28T10:00:00.25Z,é}'::likeset::likeset_image), 4)
	 AS written_version;
-- stored as it is, as 1.0 would have stored it
INSERT INTO pages VALUES (6, :'v1'::likeset_image::likeset);
SELECT likes, likeset_count(likes), likes @> 'carol' AS carol, likes @> 'bob' AS bob
FROM pages WHERE page_id = 6;

-- Indexes and replication set up under 1.0
CREATE INDEX pages_likes_hash ON pages USING hash (likes);
SELECT likeset_replicate('pages');

-- What every value reads like under 1.0, to compare after each upgrade
CREATE TABLE before AS
SELECT page_id, likes::text AS txt, likeset_count(likes) AS n,
	   likes @> 'tara' AS has_tara, likes @> 'é' AS has_e, likes @> 'user1500' AS has_user1500,
	   ARRAY(SELECT likeset_elements(likes)) AS elements
FROM pages;
CREATE VIEW changed AS
SELECT b.page_id FROM before b LEFT JOIN pages p USING (page_id)
WHERE p.likes IS NULL OR p.likes::text <> b.txt OR likeset_count(p.likes) <> b.n
   OR (p.likes @> 'tara') <> b.has_tara OR (p.likes @> 'é') <> b.has_e
   OR (p.likes @> 'user1500') <> b.has_user1500
   OR ARRAY(SELECT likeset_elements(p.likes)) <> b.elements;
SELECT count(*) AS pages, count(*) FILTER (WHERE page_id IN (SELECT page_id FROM changed)) AS changed
FROM before;

--------------------------------------------------------------------------
-- 1.0 -> 1.1: the log layout arrives; old values read the same
--------------------------------------------------------------------------
ALTER EXTENSION likeset UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'likeset';
SELECT count(*) AS pages, count(*) FILTER (WHERE page_id IN (SELECT page_id FROM changed)) AS changed
FROM before;
-- 1.1's functions on values written under 1.0
SELECT page_id, likeset_nentries(likes) AS nentries, (likeset_entry(likes, 'tahir')).*
FROM pages WHERE page_id IN (1, 4, 6) ORDER BY page_id;
-- the table made under 1.0 is a value layout for the new calls
SELECT likeset_layout('pages');
SELECT likeset_like('pages', 1, 'ulla', '2026-11-28 12:00:00+00');
SELECT likeset_count('pages', 1), likeset_contains('pages', 1, 'ulla'),
	   likeset_value('pages', 1) = likes AS value_is_column
FROM pages WHERE page_id = 1;
-- and a log table
SELECT likeset_create_log('page_likes', 'bigint');
SELECT likeset_like('page_likes', 42::bigint, 'tahir', '2026-11-28 10:00:00+00');
SELECT likeset_like('page_likes', 42::bigint, 'tara', '2026-11-28 10:00:01+00');
SELECT likeset_unlike('page_likes', 42::bigint, 'tahir', '2026-11-28 10:00:02+00');
SELECT likeset_fold('page_likes') AS folded;
SELECT likeset_like('page_likes', 42::bigint, 'é', '2026-11-28 10:00:03+00');
SELECT likeset_count('page_likes', 42::bigint), likeset_contains('page_likes', 42::bigint, 'tara'),
	   likeset_value('page_likes', 42::bigint);
-- the hash index made under 1.0 still finds rows
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT page_id FROM pages WHERE likes = '{}';
SELECT page_id FROM pages WHERE likes = '{}';
SELECT page_id FROM pages WHERE likes = :'v1'::likeset_image::likeset;
RESET enable_seqscan;

--------------------------------------------------------------------------
-- 1.1 -> 1.2
--------------------------------------------------------------------------
-- page 1 changed on purpose above; take its new state as the reference
UPDATE before SET txt = p.likes::text, n = likeset_count(p.likes),
	elements = ARRAY(SELECT likeset_elements(p.likes))
FROM pages p WHERE p.page_id = before.page_id AND p.page_id = 1;
ALTER EXTENSION likeset UPDATE TO '1.2';
SELECT extversion FROM pg_extension WHERE extname = 'likeset';
SELECT count(*) AS pages, count(*) FILTER (WHERE page_id IN (SELECT page_id FROM changed)) AS changed
FROM before;
SELECT page_id, likes FROM pages WHERE page_id IN (1, 2, 4, 6) ORDER BY page_id;
-- the log table made under 1.1 still answers, and takes likes
SELECT likeset_like('page_likes', 42::bigint, 'zoe', '2026-11-28 10:00:04+00');
SELECT likeset_fold('page_likes') AS folded;
SELECT likeset_count('page_likes', 42::bigint), likeset_value('page_likes', 42::bigint);
-- an index of 1.2 over values written under 1.0 gives what a scan gives
CREATE INDEX pages_likes_gin ON pages USING gin (likes likeset_gin_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT page_id FROM pages WHERE likes @> 'é';
SELECT array_agg(page_id ORDER BY page_id) AS with_e_by_index FROM pages WHERE likes @> 'é';
RESET enable_seqscan;
SELECT array_agg(page_id ORDER BY page_id) AS with_e_by_scan FROM pages
WHERE likeset_contains(likes, 'é');
-- replication set up under 1.0 is still in place
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'pages'::regclass ORDER BY tgname;

--------------------------------------------------------------------------
-- 1.2 -> 1.3: the row's write time; the upgrade names the tables that
-- need likeset_replicate() again
--------------------------------------------------------------------------
ALTER EXTENSION likeset UPDATE TO '1.3';
SELECT extversion FROM pg_extension WHERE extname = 'likeset';
SELECT count(*) AS pages, count(*) FILTER (WHERE page_id IN (SELECT page_id FROM changed)) AS changed
FROM before;
-- until then the merge trigger works without the column (other columns
-- would settle on the greater value): replicated inserts merge
SET session_replication_role = replica;
INSERT INTO pages VALUES (7, '{ann@2026-11-28T12:00:00Z}');
INSERT INTO pages VALUES (7, '{-ann@2026-11-28T12:00:01Z,bob@2026-11-28T12:00:00Z}');
RESET session_replication_role;
SELECT likes FROM pages WHERE page_id = 7;
-- run again, it adds the column (every row there at -infinity) and the
-- trigger for local writes
SELECT likeset_replicate('pages');
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'pages'::regclass ORDER BY tgname;
SELECT count(*) AS rows, count(*) FILTER (WHERE likeset_row_ts = '-infinity') AS at_minus_infinity
FROM pages;
SELECT count(*) AS pages, count(*) FILTER (WHERE page_id IN (SELECT page_id FROM changed)) AS changed
FROM before;
-- the log table made under 1.1: its CHECK constraints gave way to a C
-- trigger that checks the same, with the same SQLSTATE
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = 'page_likes'::regclass AND contype = 'c';
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'page_likes'::regclass AND NOT tgisinternal
ORDER BY tgname;
\set VERBOSITY sqlstate
INSERT INTO page_likes (key, element, ts) VALUES (42, repeat('x', 4097), now());
INSERT INTO page_likes (key, element, ts) VALUES (42, 'x', 'infinity');
\set VERBOSITY default
SELECT likeset_like('page_likes', 42::bigint, 'yan', '2026-11-28 10:00:05+00');
SELECT likeset_count('page_likes', 42::bigint);

-- 1.4 writes values packed (format version 3) and leaves stored ones as
-- they are: likeset_stats counts those still in version 1 or 2
ALTER EXTENSION likeset UPDATE TO '1.4';
SELECT extversion FROM pg_extension WHERE extname = 'likeset';
SELECT likeset_format_version(likes) AS version, count(*) FROM pages GROUP BY 1 ORDER BY 1;
SELECT keys, present, old_format FROM likeset_stats('pages');
SELECT count(*) AS pages, count(*) FILTER (WHERE page_id IN (SELECT page_id FROM changed)) AS changed
FROM before;
-- the bytes of version 3 (src/likeset_pack.c) for {-bob@…, carol@…, "é"}:
-- the header of versions 1 and 2 with version 3; then tsbase (the lowest
-- timestamp, é's), elemlen 13, tsbits 58 and 3 reserved bytes; the one
-- restart point, offset 0; the element stream, each entry a byte
-- (tombstone bit, shared prefix, length of the rest) and the rest: 0x83
-- bob, 0x05 carol, 0x02 é; last the three timestamps less tsbase, 58 bits
-- each, least significant bit first, in 22 bytes that run backwards from
-- the value's last byte
SELECT image_bytes('{-bob@2026-11-28T10:00:00Z,carol@2026-11-28T10:00:00.25Z,é}'::likeset::likeset_image)
	   = native(3, 1) || '\x000000'::bytea || native(3, 4) || native(2, 4)
		 || native(us('2026-11-28 10:00:00.25+00'), 8) || native('-9223372036854775808', 8)
		 || native(us('4714-11-24 00:00:00+00 BC'), 8) || native(13, 4) || '\x3a000000'::bytea
		 || native(0, 4) || '\x83626f62056361726f6c02c3a9'::bytea
		 || '\x000000000000000bce1e4304286242f38790c1064800'::bytea AS v3_bytes_as_documented;
-- any write rewrites a value in version 3, holding the same set
UPDATE pages SET likes = likes | '{}' WHERE page_id = 6;
SELECT likeset_format_version(likes) AS version, likes = :'v1'::likeset_image::likeset AS same_set
FROM pages WHERE page_id = 6;
UPDATE pages SET likes = likes | '{}';
SELECT keys, present, old_format FROM likeset_stats('pages');
SELECT count(*) AS pages, count(*) FILTER (WHERE page_id IN (SELECT page_id FROM changed)) AS changed
FROM before;

-- Version 1 values read by this version: the version 1 image again, and
-- the stored copy (rewritten in version 3 above)
SELECT :'v1'::likeset_image::likeset AS v1_image,
	   (SELECT likes FROM pages WHERE page_id = 6) = :'v1'::likeset_image::likeset AS stored_equal,
	   likeset_format_version(:'v1'::likeset_image::likeset) AS v1_version;
-- the hash index made under 1.0 finds the rewritten value from the
-- version 1 image: both hash their entries, not their stored bytes
SET enable_seqscan = off;
SELECT page_id FROM pages WHERE likes = :'v1'::likeset_image::likeset;
RESET enable_seqscan;
-- and version 2, what 1.2 and 1.3 write for a value that records a
-- compaction horizon: the same layout, the horizon in its header field
SELECT image(2, us('2026-11-01 00:00:00+00'), ARRAY['bob', 'carol', 'é'],
			 ARRAY['2026-11-28 10:00:00+00', '2026-11-28 10:00:00.25+00',
				   '4714-11-24 00:00:00+00 BC']::timestamptz[],
			 ARRAY[true, false, false]) AS v2 \gset
SELECT :'v2'::likeset_image::likeset AS v2_image,
	   :'v2'::likeset_image::likeset
	   = '@2026-11-01T00:00:00Z{-bob@2026-11-28T10:00:00Z,carol@2026-11-28T10:00:00.25Z,é}'::likeset
	   AS same_set,
	   likeset_format_version(:'v2'::likeset_image::likeset) AS v2_version;
-- a version this code does not know (a newer likeset wrote it) is refused,
-- by reads of the whole value and by those of the header alone
SELECT image(4, '-9223372036854775808', ARRAY['bob'], ARRAY['2026-11-28 10:00:00+00']::timestamptz[],
			 ARRAY[false]) AS v4 \gset
SELECT :'v4'::likeset_image::likeset AS v4_image;
SELECT likeset_count(:'v4'::likeset_image::likeset) AS v4_count;

-- already at the default version: nothing to do
ALTER EXTENSION likeset UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'likeset';

-- The extension's members, by identity, and their digest.  PostgreSQL 17
-- also records the array types and table row types that its objects imply
-- as members; they are left out, so that every major lists the same.
\set ext_members 'SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member FROM pg_depend d LEFT JOIN pg_type t ON d.classid = ''pg_type''::regclass AND t.oid = d.objid WHERE d.refclassid = ''pg_extension''::regclass AND d.deptype = ''e'' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = ''likeset'') AND NOT coalesce(t.typcategory = ''A'' OR t.typrelid <> 0, false)'
SELECT member
FROM (:ext_members) AS m
ORDER BY member COLLATE "C";
SELECT count(*) AS members,
	   md5(string_agg(member, E'\n' ORDER BY member COLLATE "C")) AS members_md5
FROM (:ext_members) AS m \gset upgraded_
SELECT :upgraded_members AS members, :'upgraded_members_md5' AS members_md5;
-- and the definitions of its functions (aggregates aside), for a stricter look
SELECT md5(string_agg(pg_get_functiondef(p.oid), E'\n' ORDER BY pg_get_functiondef(p.oid) COLLATE "C"))
	AS upgraded_functions_md5
FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND p.prokind <> 'a'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'likeset') \gset

--------------------------------------------------------------------------
-- Database B: a fresh CREATE EXTENSION at the default version
--------------------------------------------------------------------------
\c regression_likeset_fresh
CREATE EXTENSION likeset;
SELECT extversion FROM pg_extension WHERE extname = 'likeset';
SELECT member
FROM (:ext_members) AS m
ORDER BY member COLLATE "C";
SELECT count(*) AS members,
	   md5(string_agg(member, E'\n' ORDER BY member COLLATE "C")) AS members_md5
FROM (:ext_members) AS m \gset fresh_
SELECT :fresh_members AS members, :'fresh_members_md5' AS members_md5;
-- the upgraded database and the fresh one have the same members ...
SELECT :upgraded_members = :fresh_members AS same_count,
	   :'upgraded_members_md5' = :'fresh_members_md5' AS same_members;
-- ... and the same function definitions
SELECT md5(string_agg(pg_get_functiondef(p.oid), E'\n' ORDER BY pg_get_functiondef(p.oid) COLLATE "C"))
	   = :'upgraded_functions_md5' AS same_function_definitions
FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND p.prokind <> 'a'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'likeset');

--------------------------------------------------------------------------
-- Back to the regression database
--------------------------------------------------------------------------
\c :regress_db
DROP DATABASE regression_likeset_upgraded;
DROP DATABASE regression_likeset_fresh;
SELECT extversion FROM pg_extension WHERE extname = 'likeset';
