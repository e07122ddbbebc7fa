--
-- GIN index over likeset (likeset_gin_ops): `likes @> elem` through the
-- index returns exactly the rows a sequential scan returns, and exactly
-- the rows whose likeset_elements (the oracle) hold elem, after the index
-- is built and after updates that add and remove (tombstone) elements.
-- Every check prints how many probes and matches it checked and how many
-- rows each plan got wrong (0).
--
SELECT amvalidate(oid) AS valid, opcdefault AS is_default, opckeytype::regtype AS storage
FROM pg_opclass WHERE opcname = 'likeset_gin_ops';

SELECT setseed(0.7);

-- Elements: 40 ordinary users and awkward ones: empty, non-ASCII, quotes,
-- text-form specials, a case variant, and long elements around the
-- 1024-byte limit of exact keys (longer ones are indexed by a hash and
-- rechecked); 'shared' is scripted below
CREATE TEMP TABLE users (uid int PRIMARY KEY, elem text);
INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 40) AS g;
INSERT INTO users VALUES
	(41, ''), (42, 'é'), (43, 'O''Brien'), (44, '"quoted"'), (45, 'a,b'),
	(46, '-minus'), (47, 'x y'), (48, '\'), (49, 'U1'), (50, 'ß日本'),
	(51, repeat('L', 1024)), (52, repeat('L', 1025)),
	(53, repeat('L', 4095) || 'M'), (54, repeat('L', 4096)), (55, 'shared');

-- Probes: every element, and elements no row holds (near misses included)
CREATE TEMP TABLE probes AS
SELECT elem FROM users
UNION ALL
SELECT * FROM (VALUES ('nobody'), ('u'), ('u1 '), ('u41'), ('E'), ('O'),
	(repeat('L', 1023)), (repeat('L', 4095)), (repeat('L', 4095) || 'N'),
	(repeat('L', 5000))) AS v(elem);

-- 300 pages of 12 random operations each (a quarter of them removes);
-- every hundredth page has a NULL value, and the one after it starts empty
CREATE TABLE gin_pages (page_id int PRIMARY KEY, likes likeset);
CREATE TEMP TABLE ops0 AS
SELECT p AS page_id, 1 + floor(random() * 54)::int AS uid,
	   '2026-01-01 00:00:00+00'::timestamptz + floor(random() * 1000)::int * interval '1 second' AS ts,
	   random() < 0.25 AS removed
FROM generate_series(1, 300) AS p, generate_series(1, 12) AS k;
INSERT INTO gin_pages
SELECT p, CASE
		WHEN p % 100 = 0 THEN NULL
		WHEN p % 100 = 1 THEN '{}'
		ELSE (SELECT likeset_agg(u.elem, o.ts, o.removed)
			  FROM ops0 AS o JOIN users AS u USING (uid) WHERE o.page_id = p)
	   END
FROM generate_series(1, 300) AS p;

CREATE INDEX gin_pages_likes ON gin_pages USING gin (likes);
ANALYZE gin_pages;

-- The check.  The oracle: pages whose present elements (likeset_elements)
-- include the probe.  "seq" forces a sequential scan (no bitmap scans),
-- "idx" forces the index (no sequential scans); each statement is planned
-- afresh under its settings (EXECUTE), and the index plan must use a
-- Bitmap Index Scan on the GIN index.
CREATE FUNCTION pg_temp.gin_check(OUT probes bigint, OUT probes_matched bigint,
								  OUT matches bigint, OUT seq_wrong bigint,
								  OUT idx_wrong bigint, OUT idx_used boolean)
LANGUAGE plpgsql AS $$
DECLARE
	by_op constant text := 'SELECT q.elem, p.page_id FROM probes AS q
		CROSS JOIN LATERAL (SELECT page_id FROM gin_pages WHERE likes @> q.elem) AS p';
	oracle constant text := 'SELECT q.elem, p.page_id FROM probes AS q, gin_pages AS p,
		likeset_elements(p.likes) AS e WHERE e = q.elem';
	diff constant text := format('SELECT count(*) FROM ((%s EXCEPT ALL %s) UNION ALL (%s EXCEPT ALL %s)) AS d',
								 by_op, oracle, oracle, by_op);
	line text;
BEGIN
	SELECT count(*) INTO probes FROM pg_temp.probes;
	EXECUTE format('SELECT count(DISTINCT elem), count(*) FROM (%s) AS o', oracle)
		INTO probes_matched, matches;

	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_bitmapscan', 'off', true);
	EXECUTE diff INTO seq_wrong;

	PERFORM set_config('enable_seqscan', 'off', true);
	PERFORM set_config('enable_bitmapscan', 'on', true);
	EXECUTE diff INTO idx_wrong;
	idx_used := false;
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || by_op LOOP
		idx_used := idx_used OR line LIKE '%Bitmap Index Scan on gin_pages_likes%';
	END LOOP;
END
$$;

-- the plans: the index answers @> with seqscan off (expected/gin_1.out:
-- PostgreSQL 18 marks the probes' disabled seq scan in EXPLAIN)
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT page_id FROM gin_pages WHERE likes @> 'u7';
EXPLAIN (COSTS OFF) SELECT q.elem, p.page_id FROM probes AS q
	CROSS JOIN LATERAL (SELECT page_id FROM gin_pages WHERE likes @> q.elem) AS p;
RESET enable_seqscan;

-- 1. after the build
SELECT * FROM pg_temp.gin_check();

-- 2. updates: random adds and removes merged into pages as deltas (later
-- timestamps, so most of them take effect; some land on elements already
-- removed or added later, and change nothing), then removes of elements
-- that are present, one per page, with likeset_remove
CREATE TEMP TABLE ops1 AS
SELECT 1 + floor(random() * 300)::int AS page_id, 1 + floor(random() * 54)::int AS uid,
	   '2026-01-01 00:10:00+00'::timestamptz + floor(random() * 1000)::int * interval '1 second' AS ts,
	   random() < 0.4 AS removed
FROM generate_series(1, 600);
UPDATE gin_pages AS p SET likes = p.likes | d.delta
FROM (SELECT o.page_id, likeset_agg(u.elem, o.ts, o.removed) AS delta
	  FROM ops1 AS o JOIN users AS u USING (uid) GROUP BY o.page_id) AS d
WHERE p.page_id = d.page_id;
UPDATE gin_pages AS p SET likes = likeset_remove(p.likes, r.elem, '2026-01-01 01:00:00+00')
FROM (SELECT DISTINCT ON (page_id) page_id, e AS elem
	  FROM gin_pages, likeset_elements(likes) AS e
	  ORDER BY page_id, md5(page_id || e)) AS r
WHERE p.page_id = r.page_id AND p.page_id % 3 = 0;

-- 'shared': added to pages 1-60, removed from 1-30, added again to 1-10;
-- a stale add (older than the remove) on 11-20 changes nothing
UPDATE gin_pages SET likes = likeset_add(likes, 'shared', '2026-02-01 00:00:00+00') WHERE page_id BETWEEN 1 AND 60;
UPDATE gin_pages SET likes = likeset_remove(likes, 'shared', '2026-02-02 00:00:00+00') WHERE page_id BETWEEN 1 AND 30;
UPDATE gin_pages SET likes = likeset_add(likes, 'shared', '2026-02-03 00:00:00+00') WHERE page_id BETWEEN 1 AND 10;
UPDATE gin_pages SET likes = likeset_add(likes, 'shared', '2026-02-01 12:00:00+00') WHERE page_id BETWEEN 11 AND 20;
SET enable_seqscan = off;
SELECT count(*), string_agg(page_id::text, ',' ORDER BY page_id) FROM gin_pages WHERE likes @> 'shared';
SELECT count(*) FROM gin_pages WHERE likeset_entry(likes, 'shared') IS NOT NULL AND NOT likes @> 'shared';
RESET enable_seqscan;
SELECT count(*), string_agg(page_id::text, ',' ORDER BY page_id) FROM gin_pages
WHERE EXISTS (SELECT 1 FROM likeset_elements(likes) AS e WHERE e = 'shared');

-- the updates sit in the index's pending list (fastupdate); the scan reads it
SELECT * FROM pg_temp.gin_check();
-- moved into the index proper
SELECT gin_clean_pending_list('gin_pages_likes') > 0 AS pending_cleaned;
SELECT * FROM pg_temp.gin_check();

-- 3. without a pending list: every update goes straight into the index
ALTER INDEX gin_pages_likes SET (fastupdate = off);
CREATE TEMP TABLE ops2 AS
SELECT 1 + floor(random() * 300)::int AS page_id, 1 + floor(random() * 55)::int AS uid,
	   '2026-01-01 00:20:00+00'::timestamptz + floor(random() * 1000)::int * interval '1 second' AS ts,
	   random() < 0.5 AS removed
FROM generate_series(1, 600);
UPDATE gin_pages AS p SET likes = p.likes | d.delta
FROM (SELECT o.page_id, likeset_agg(u.elem, o.ts, o.removed) AS delta
	  FROM ops2 AS o JOIN users AS u USING (uid) GROUP BY o.page_id) AS d
WHERE p.page_id = d.page_id;
-- every element of some pages removed (a page of tombstones only)
UPDATE gin_pages AS p SET likes = p.likes | d.delta
FROM (SELECT page_id, likeset_agg(e, '2026-03-01 00:00:00+00', true) AS delta
	  FROM gin_pages, likeset_elements(likes) AS e WHERE page_id % 7 = 0 GROUP BY page_id) AS d
WHERE p.page_id = d.page_id;
SELECT count(*) AS pages_of_tombstones FROM gin_pages
WHERE likeset_count(likes) = 0 AND likeset_nentries(likes) > 0;
SELECT * FROM pg_temp.gin_check();

-- 4. after VACUUM (dead index entries of the old row versions removed),
-- and a fresh build over the final states
VACUUM gin_pages;
SELECT * FROM pg_temp.gin_check();
REINDEX INDEX gin_pages_likes;
SELECT * FROM pg_temp.gin_check();

-- NULL and strictness: no row matches a NULL element, and NULL rows never match
SET enable_seqscan = off;
SELECT count(*) FROM gin_pages WHERE likes @> NULL::text;
SELECT count(*) FROM gin_pages WHERE likes IS NULL AND likes @> 'u1';
RESET enable_seqscan;

DROP TABLE gin_pages;
