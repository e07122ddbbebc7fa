--
-- The plan cache of the hot paths (likeset_like.c, likeset_cache.c): a
-- backend prepares a table's statements once and keeps them; a change to
-- the table drops them.  Every step below runs in one session, after the
-- plans of the step before were made and used, so a stale plan or name
-- would show as an error or a wrong answer.
--
SET client_min_messages = warning;
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
\set SHOW_CONTEXT never

-- Runs a statement and returns its SQLSTATE, or 'ok'
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;

-- the same calls on both layouts; state() shows key 1 (the like functions
-- are volatile and the readers stable: a statement's readers see the
-- likes of the statements before it)
CREATE TABLE pc_pages (id bigint PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}', title text);
SELECT likeset_create_log('pc_likes', 'bigint', part_max => 4);
CREATE FUNCTION pg_temp.state(t regclass) RETURNS text LANGUAGE sql AS $$
	SELECT format('%s: count %s, alice %s, bob %s, present %s', t,
				  likeset_count(t, 1), likeset_contains(t, 1, 'alice'),
				  likeset_contains(t, 1, 'bob'), likeset_value(t, 1)::text[])
$$;
-- every variant, several times (a kept plan may turn generic after five)
SELECT count(*) FROM (
	SELECT likeset_like(t, 1, 'u' || i, timestamptz '2024-01-01 00:00Z' + i * interval '1 s'),
		   likeset_unlike(t, 1, 'u' || i, timestamptz '2024-01-01 00:00Z' + (i + 1) * interval '1 s'),
		   likeset_like(t, 1, 'alice'), likeset_unlike(t, 1, 'bob'),
		   likeset_count(t, 1), likeset_contains(t, 1, 'alice')
	FROM unnest(ARRAY['pc_pages', 'pc_likes']::regclass[]) t, generate_series(1, 8) i) x;
SELECT likeset_count(t, 1), likeset_contains(t, 1, 'alice'), likeset_contains(t, 1, 'bob'),
	   likeset_count(t, 1::int), likeset_contains(t, 1::int, 'alice')
FROM unnest(ARRAY['pc_pages', 'pc_likes']::regclass[]) t;

-- ALTER TABLE: add a column, drop a column, rename the key and the likeset column
ALTER TABLE pc_pages ADD COLUMN note text DEFAULT 'n';
ALTER TABLE pc_likes ADD COLUMN note text;
SELECT likeset_like(t, 1, 'carol', '2024-02-01 00:00Z') FROM unnest(ARRAY['pc_pages', 'pc_likes']::regclass[]) t;
SELECT likeset_like('pc_pages', 2, 'carol');	-- a new row: the insert statement
SELECT id, note, likeset_count(likes) FROM pc_pages ORDER BY id;
ALTER TABLE pc_pages DROP COLUMN title;
ALTER TABLE pc_likes DROP COLUMN note;
ALTER TABLE pc_pages RENAME COLUMN likes TO hearts;
ALTER TABLE pc_pages RENAME COLUMN id TO page_id;
SELECT likeset_like('pc_pages', 1, 'dave', '2024-02-02 00:00Z'), likeset_unlike('pc_pages', 1, 'carol', '2024-02-03 00:00Z'),
	   likeset_like('pc_pages', 3, 'erin'), likeset_unlike('pc_pages', 4, 'frank', '2024-02-03 00:00Z');	-- 3 and 4 are new
SELECT likeset_like('pc_likes', 1, 'dave', '2024-02-02 00:00Z'), likeset_unlike('pc_likes', 1, 'carol', '2024-02-03 00:00Z');
SELECT page_id, likeset_count(hearts), likeset_contains(hearts, 'dave'), likeset_contains(hearts, 'carol')
FROM pc_pages ORDER BY page_id;
SELECT pg_temp.state(t) FROM unnest(ARRAY['pc_pages', 'pc_likes']::regclass[]) t;
-- a second likeset column makes the table ambiguous: the error, not a stale plan
ALTER TABLE pc_pages ADD COLUMN more likeset;
SELECT likeset_count('pc_pages', 1);
ALTER TABLE pc_pages DROP COLUMN more;
SELECT likeset_count('pc_pages', 1);
-- a key of another type
ALTER TABLE pc_pages ALTER COLUMN page_id TYPE numeric;
SELECT likeset_like('pc_pages', 1, 'gina', '2024-02-04 00:00Z');
SELECT likeset_count('pc_pages', 1), likeset_count('pc_pages', 1.0), likeset_contains('pc_pages', 1.0, 'gina');

-- rename the tables themselves
ALTER TABLE pc_pages RENAME TO pc_pages_renamed;
ALTER TABLE pc_likes RENAME TO pc_likes_renamed;
SELECT likeset_like('pc_pages_renamed', 1, 'hank', '2024-02-05 00:00Z'),
	   likeset_like('pc_likes_renamed', 1, 'hank', '2024-02-05 00:00Z');
SELECT pg_temp.state(t) FROM unnest(ARRAY['pc_pages_renamed', 'pc_likes_renamed']::regclass[]) t;
SELECT likeset_fold('pc_likes_renamed') > 0 AS folded;
SELECT pg_temp.state('pc_likes_renamed');
ALTER TABLE pc_pages_renamed RENAME TO pc_pages;

-- DROP and CREATE again under the same name, with other columns
SELECT 'pc_pages'::regclass::oid AS old_pages \gset
DROP TABLE pc_pages;
SELECT pg_temp.sqlstate_of(format('SELECT likeset_count(%s::regclass, 1)', :old_pages)) AS count_of_dropped;
CREATE TABLE pc_pages (k text PRIMARY KEY, stars likeset);
SELECT likeset_like('pc_pages', 'one'::text, 'alice', '2024-03-01 00:00Z'), likeset_like('pc_pages', 'one'::text, 'bob');
SELECT k, likeset_count(stars), likeset_count('pc_pages', 'one'::text), likeset_contains('pc_pages', 'one'::text, 'alice')
FROM pc_pages;

-- search_path: the same name in two schemas, the table the name means now
CREATE SCHEMA s1;
CREATE SCHEMA s2;
CREATE TABLE s1.t (id int PRIMARY KEY, likes likeset);
CREATE TABLE s2.t (id int PRIMARY KEY, likes likeset);
SET search_path = s1, public;
SELECT likeset_like('t', 1, 'in s1');
SELECT likeset_count('t', 1);
SET search_path = s2, public;
SELECT likeset_like('t', 1, 'in s2'), likeset_like('t', 1, 'also in s2');
SELECT likeset_count('t', 1);
SET search_path = s1, public;
SELECT likeset_count('t', 1), likeset_contains('t', 1, 'in s1'), likeset_contains('t', 1, 'in s2');
RESET search_path;
SELECT 's1' AS schema, likeset_elements(likes) FROM s1.t
UNION ALL SELECT 's2', likeset_elements(likes) FROM s2.t ORDER BY 1, 2;
-- a log table of the same name in each schema
SELECT likeset_create_log('s1.lg'), likeset_create_log('s2.lg');
SET search_path = s1, public;
SELECT likeset_like('lg', 1, 'in s1');
SELECT likeset_count('lg', 1);
SET search_path = s2, public;
SELECT likeset_like('lg', 1, 'in s2'), likeset_like('lg', 1, 'also in s2');
SELECT likeset_count('lg', 1);
RESET search_path;
SELECT likeset_count('s1.lg', 1) AS s1, likeset_count('s2.lg', 1) AS s2;

-- a search_path that puts a hostile "=" and "+" first changes nothing: the
-- statements name pg_catalog's operators
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.never(bigint, bigint) RETURNS boolean LANGUAGE sql AS 'SELECT false';
CREATE OPERATOR hostile.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.never);
CREATE FUNCTION hostile.no_ts(timestamptz, interval) RETURNS timestamptz LANGUAGE sql AS $$SELECT timestamptz '1970-01-01Z'$$;
CREATE OPERATOR hostile.+ (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = hostile.no_ts);
CREATE TABLE hp (id bigint PRIMARY KEY, likes likeset);
SELECT likeset_create_log('hl');
SET search_path = hostile, pg_catalog, public;
SELECT likeset_like(t, 1::bigint, 'x', '2030-01-01 00:00Z'), likeset_like(t, 1::bigint, 'x')
FROM unnest(ARRAY['hp', 'hl']::regclass[]) t;
SELECT t, likeset_count(t, 1::bigint), likeset_contains(t, 1::bigint, 'x')
FROM unnest(ARRAY['hp', 'hl']::regclass[]) t;
RESET search_path;
-- the second like came just after the first (2030), not at the hostile "+"'s 1970
SELECT t, (likeset_entry(likeset_value(t, 1::bigint), 'x')).ts FROM unnest(ARRAY['hp', 'hl']::regclass[]) t;

-- a role without rights on a table gets an error from a cached plan too
CREATE ROLE likeset_plancache_reader;
GRANT USAGE ON SCHEMA s1 TO likeset_plancache_reader;
SET ROLE likeset_plancache_reader;
SELECT likeset_count('s1.t', 1);
RESET ROLE;
GRANT SELECT ON s1.t TO likeset_plancache_reader;
SET ROLE likeset_plancache_reader;
SELECT likeset_count('s1.t', 1);
SELECT likeset_like('s1.t', 1, 'sneaky');
RESET ROLE;
DROP OWNED BY likeset_plancache_reader;
DROP ROLE likeset_plancache_reader;

-- ALTER SCHEMA RENAME: the statements name the schema, so the next call
-- builds them again with the new name
CREATE SCHEMA s3;
CREATE TABLE s3.v (id int PRIMARY KEY, likes likeset);
SELECT likeset_create_log('s3.lg');
SELECT count(*) FROM (
	SELECT likeset_like(t, 1, 'before', '2024-04-01 00:00Z'), likeset_count(t, 1), likeset_contains(t, 1, 'before')
	FROM unnest(ARRAY['s3.v', 's3.lg']::regclass[]) t, generate_series(1, 6)) x;
ALTER SCHEMA s3 RENAME TO s3_renamed;
SELECT likeset_like(t, 1, 'after', '2024-04-02 00:00Z'), likeset_unlike(t, 1, 'before')
FROM unnest(ARRAY['s3_renamed.v', 's3_renamed.lg']::regclass[]) t;
SELECT t, likeset_count(t, 1), likeset_contains(t, 1, 'after'), likeset_contains(t, 1, 'before')
FROM unnest(ARRAY['s3_renamed.v', 's3_renamed.lg']::regclass[]) t;

-- Tables vacuumed while empty: plans built then (the vacuum's relcache
-- invalidation drops the kept ones) still use the key's index, not a
-- sequential scan that would read the whole table, and every fold's dead
-- rows, for as long as they are kept.  Counted in the statistics, flushed
-- before and after.
CREATE TABLE vq (id int PRIMARY KEY, likes likeset);
SELECT likeset_create_log('vq_log', part_max => 4);
SELECT count(*) FROM (SELECT likeset_like('vq_log', 1, 'u' || i) FROM generate_series(1, 20) i) x;
SELECT likeset_fold('vq_log') > 0 AS folded;
VACUUM vq, vq_log, vq_log_part, vq_log_head;
SELECT pg_stat_force_next_flush();
CREATE TEMP TABLE scans_before AS
	SELECT relname, seq_scan, idx_scan FROM pg_stat_user_tables
	WHERE relname IN ('vq', 'vq_log', 'vq_log_part', 'vq_log_head');
-- (the readers' results are used: a subquery drops unused stable calls)
SELECT count(*), sum(n), count(*) FILTER (WHERE has_v1) FROM (
	SELECT likeset_like(t, k, 'v' || i), likeset_unlike(t, k, 'w' || i, '2024-05-01 00:00Z'),
		   likeset_count(t, k) AS n, likeset_contains(t, k, 'v1') AS has_v1
	FROM unnest(ARRAY['vq', 'vq_log']::regclass[]) t, generate_series(1, 3) k, generate_series(1, 8) i) x;
SELECT pg_stat_force_next_flush();
SELECT relname, s.seq_scan - b.seq_scan AS seq_scans, s.idx_scan > b.idx_scan AS used_index
FROM pg_stat_user_tables s JOIN scans_before b USING (relname) ORDER BY relname;
SELECT t, likeset_count(t, 2), likeset_contains(t, 2, 'v8') FROM unnest(ARRAY['vq', 'vq_log']::regclass[]) t;

-- the fold's watermark restored from another cluster (pg_dump copies
-- fold_xmin): one past this cluster's transaction IDs is ignored, and
-- every pending row counts
SELECT likeset_like('vq_log', 9, 'p' || i) FROM generate_series(1, 3) i;
SELECT likeset_fold('vq_log') > 0 AS folded;
SELECT likeset_like('vq_log', 9, 'q' || i) FROM generate_series(1, 2) i;
SELECT likeset_count('vq_log', 9) AS before_restore;
UPDATE vq_log_head SET fold_xmin = '999999999999' WHERE key = 9;
SELECT likeset_count('vq_log', 9) AS from_another_cluster;

-- a log key type whose equality is not pg_catalog's (citext's is
-- case-insensitive, the fold's "=" would not be): refused
CREATE EXTENSION citext;
SELECT likeset_create_log('ci_log', 'citext');
DROP EXTENSION citext;

DROP SCHEMA s1, s2, s3_renamed, hostile CASCADE;
DROP TABLE vq, vq_log, vq_log_part, vq_log_head;
DROP TABLE pc_pages, pc_likes_renamed, pc_likes_part, pc_likes_head, hp, hl, hl_part, hl_head;
DELETE FROM likeset_log_tables WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = log);
