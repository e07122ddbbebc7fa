--
-- The log layout for large sets (docs/large-sets.md): the same calls on a
-- log table and on a likeset column, folding, splitting, the replica-side
-- echo filter, errors, and a property test of both layouts against a model.
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

-- a log table and a value-layout table, side by side
SELECT likeset_create_log('page_likes', 'int', part_max => 4);
CREATE TABLE pages (id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}', title text);
SELECT log, part, head, part_max FROM likeset_log_tables;
SELECT is_log, key_col, set_col, part, head, part_max FROM likeset_layout('page_likes');
SELECT is_log, key_col, set_col, part, head, part_max FROM likeset_layout('pages');

-- the same calls on both layouts
SELECT likeset_like(t, 1, 'alice', '2024-01-01 10:00Z'),
       likeset_like(t, 1, 'bob', '2024-01-01 10:01Z'),
       likeset_unlike(t, 1, 'alice', '2024-01-01 10:02Z'),
       likeset_like(t, 1, 'alice', '2024-01-01 09:00Z'),	-- a late retry: loses
       likeset_like(t, 2, 'carol', '2024-01-01 10:00Z')
FROM unnest(ARRAY['page_likes', 'pages']::regclass[]) t;
SELECT t, likeset_count(t, 1) AS count1, likeset_count(t, 2) AS count2,
       likeset_count(t, 3) AS count3,
       likeset_contains(t, 1, 'alice') AS alice, likeset_contains(t, 1, 'bob') AS bob,
       likeset_value(t, 1)
FROM unnest(ARRAY['page_likes', 'pages']::regclass[]) t;
-- the late retry was not even stored in the log
SELECT key, element, ts, removed FROM page_likes ORDER BY key, ts;

-- without a timestamp an operation beats the element's last one even when
-- that one is in the future (a clock that lags)
SELECT likeset_like('page_likes', 1, 'dave', '2999-01-01Z');
SELECT likeset_unlike('page_likes', 1, 'dave');
SELECT ts > '2999-01-01Z' AND removed AS unlike_wins
FROM page_likes WHERE element = 'dave' ORDER BY ts DESC LIMIT 1;
SELECT likeset_contains('page_likes', 1, 'dave');

-- folding moves pending rows into parts and changes no answer
SELECT likeset_count('page_likes', 1) AS before;
SELECT likeset_fold('page_likes') AS folded;
SELECT count(*) AS pending FROM page_likes;
SELECT key, present, entries, parts FROM page_likes_head ORDER BY key;
SELECT likeset_count('page_likes', 1) AS after, likeset_value('page_likes', 1);
SELECT likeset_fold('page_likes') AS nothing_to_fold;

-- many likes on one page: parts split at part_max and stay consistent
SELECT count(likeset_like('page_likes', 7, 'u' || g, '2024-02-01Z'::timestamptz + g * interval '1 s'))
FROM generate_series(1, 300) g;
SELECT likeset_count('page_likes', 7) AS pending_count;
SELECT likeset_fold('page_likes', max_keys => 1) <= 300 AS one_key_at_a_time;
SELECT likeset_fold('page_likes') >= 0 AS rest;
SELECT count(*) AS pending FROM page_likes;
SELECT h.present, h.entries, h.parts = (SELECT count(*) FROM page_likes_part p WHERE p.key = 7) AS parts_ok,
       h.present = (SELECT sum(likeset_count(p.part)) FROM page_likes_part p WHERE p.key = 7) AS present_ok,
       h.entries = (SELECT sum(likeset_nentries(p.part)) FROM page_likes_part p WHERE p.key = 7) AS entries_ok
FROM page_likes_head h WHERE h.key = 7;
-- every part holds only elements of its hash range, and at most part_max
-- entries unless all of them share one hash
SELECT count(*) AS misplaced
FROM (SELECT p.part, p.lo, coalesce(lead(p.lo) OVER (ORDER BY p.lo), 4294967296) AS hi
      FROM page_likes_part p WHERE p.key = 7) x,
     likeset_elements(x.part) e
WHERE likeset_element_hash(e) < x.lo OR likeset_element_hash(e) >= x.hi;
SELECT count(*) AS oversized FROM page_likes_part WHERE likeset_nentries(part) > 4;
SELECT count(*) > 30 AS split_often FROM page_likes_part WHERE key = 7;
SELECT likeset_count('page_likes', 7), likeset_contains('page_likes', 7, 'u150'),
       likeset_contains('page_likes', 7, 'u301');
SELECT likeset_value('page_likes', 7) = likeset_agg(u, '2024-02-01Z'::timestamptz + g * interval '1 s')
FROM generate_series(1, 300) g, LATERAL (SELECT 'u' || g AS u) x;

-- building blocks
SELECT likeset_element_hash('') AS h0, likeset_element_hash('alice') AS h1,
       likeset_element_hash('u1') <> likeset_element_hash('u2') AS spread;
SELECT * FROM likeset_entry('{a@2024-01-01T00:00:00Z,-b@2024-01-02T00:00:00Z}', 'b');
SELECT likeset_entry('{a}', 'zz') IS NULL AS absent;
SELECT likeset_nentries('{a,-b,c}'), likeset_count('{a,-b,c}');
SELECT likeset_split_point('{a}') IS NULL AS single, likeset_split_point('{}') IS NULL AS empty;
SELECT likeset_hash_range(s, 0, m) | likeset_hash_range(s, m, 4294967296) = s AS halves_join,
       likeset_nentries(likeset_hash_range(s, 0, m)) BETWEEN 1 AND 9 AS lower_nonempty
FROM (SELECT '{a,b,c,d,e,f,g,h,i,j}'::likeset AS s) x,
     LATERAL (SELECT likeset_split_point(x.s) AS m) y;
SELECT likeset_hash_range('{a,b}', 5, 5) = '{}' AS empty_range;
-- likeset_split: pieces that cover the set, each within the limit, in
-- ascending hash ranges starting at the lo given
SELECT count(*) AS pieces, max(likeset_nentries(part)) <= 3 AS within_limit,
       min(lo) = 7 AS starts_at_lo, likeset_merge_agg(part) = '{a,b,c,d,e,f,g,h,i,j}' AS covers
FROM likeset_split('{a,b,c,d,e,f,g,h,i,j}', 7, 3);
SELECT lo, part FROM likeset_split('{a}', 0, 5);
SELECT * FROM likeset_split('{a}', 0, 0);
SELECT likeset_agg(e, t, r) FROM (VALUES ('a', '2024-01-01Z'::timestamptz, false),
	('a', '2024-01-01Z', true), ('b', '2024-01-02Z', false), ('b', '2024-01-01Z', true),
	('c', NULL, false)) v(e, t, r);

-- the replica-side filter: an apply worker (replica role, empty search_path)
-- drops operations already beaten and keeps new ones
SET session_replication_role = replica;
SET search_path = '';
INSERT INTO public.page_likes VALUES (1, 'bob', '2024-01-01 10:01Z', false);	-- echo of a folded row
INSERT INTO public.page_likes VALUES (1, 'bob', '2024-01-01 09:00Z', true);	-- older
INSERT INTO public.page_likes VALUES (1, 'erin', '2024-03-01Z', false);		-- new
INSERT INTO public.page_likes VALUES (1, 'erin', '2024-03-01Z', false);		-- echo of a pending row
INSERT INTO public.page_likes VALUES (1, 'erin', '2024-03-01Z', true);			-- same time: remove wins
RESET search_path;
RESET session_replication_role;
SELECT key, element, ts, removed FROM page_likes ORDER BY ts, removed;
SELECT likeset_contains('page_likes', 1, 'erin');

-- errors: each with its message, then all of them with their SQLSTATEs
SELECT likeset_like('page_likes', 1, repeat('x', 4097));
SELECT likeset_like('page_likes', 1, 'x', 'infinity');
SELECT likeset_fold('pages');
CREATE TABLE nolikes (id int PRIMARY KEY);
SELECT likeset_count('nolikes', 1);
CREATE TABLE twokey (a int, b int, likes likeset, PRIMARY KEY (a, b));
SELECT likeset_count('twokey', 1);
SELECT likeset_create_log('a.b.c');
SELECT likeset_create_log(repeat('n', 59));
SELECT q, pg_temp.sqlstate_of(q) FROM (VALUES
	($$SELECT likeset_like('page_likes', 1, repeat('x', 4097))$$),
	($$SELECT likeset_like('pages', 1, repeat('x', 4097))$$),
	($$SELECT likeset_like('page_likes', 1, 'x', 'infinity')$$),
	($$SELECT likeset_like('pages', 1, 'x', '-infinity')$$),
	($$SELECT likeset_like('page_likes', NULL::int, 'x')$$),
	($$SELECT likeset_like('page_likes', 1, NULL)$$),
	($$SELECT likeset_fold('pages')$$),
	($$SELECT likeset_count('nolikes', 1)$$),
	($$SELECT likeset_count('twokey', 1)$$),
	($$SELECT likeset_count('no_such_table', 1)$$),
	($$SELECT likeset_count('page_likes', 'abc')$$),
	($$SELECT likeset_create_log('page_likes')$$),
	($$SELECT likeset_create_log('a.b.c')$$),
	($$SELECT likeset_create_log('p2', 'int', part_max => 1)$$),
	($$SELECT likeset_create_log(repeat('n', 59))$$),
	($$SELECT likeset_create_log('no_schema.t')$$),
	($$INSERT INTO page_likes VALUES (1, 'x', 'infinity', false)$$),
	($$INSERT INTO page_likes VALUES (1, repeat('x', 4097), now(), false)$$),
	($$UPDATE page_likes SET ts = '-infinity'$$)
) v(q);
-- the same checks on rows an apply worker inserts (the replica trigger),
-- with the messages
SET session_replication_role = replica;
INSERT INTO page_likes VALUES (1, 'x', '-infinity', false);
INSERT INTO page_likes VALUES (1, repeat('é', 2049), now(), false);
RESET session_replication_role;
-- a publication that publishes deletes makes a fold fail, before it could
-- ship its local clean-up to the peers
SET client_min_messages = error;	-- the wal_level warning, worded differently by major
CREATE PUBLICATION all_ops FOR TABLE page_likes;
SET client_min_messages = warning;
SELECT likeset_like('page_likes', 1, 'frank');
SELECT likeset_fold('page_likes');
DROP PUBLICATION all_ops;
SET client_min_messages = error;	-- the wal_level warning, worded differently by major
CREATE PUBLICATION inserts_only FOR TABLE page_likes WITH (publish = 'insert');
SET client_min_messages = warning;
SELECT likeset_fold('page_likes') AS folded_with_insert_publication;
DROP PUBLICATION inserts_only;

-- a log table in another schema, with a text key
CREATE SCHEMA "Other Schema";
SELECT likeset_create_log('"Other Schema".tags', 'text');
SELECT likeset_like('"Other Schema".tags', 'k'::text, 'v');
SELECT likeset_fold('"Other Schema".tags'), likeset_count('"Other Schema".tags', 'k'::text);

-- the registry: other users see it, but only owners register their tables
CREATE ROLE likeset_log_user;
SET ROLE likeset_log_user;
INSERT INTO likeset_log_tables VALUES ('pages', 'pages', 'pages', 4);
DELETE FROM likeset_log_tables WHERE log = 'page_likes'::regclass;
SELECT count(*) AS rows_visible FROM likeset_log_tables;
RESET ROLE;
DROP ROLE likeset_log_user;

--
-- Property test: random operations, with and without timestamps, applied
-- through the same calls to a log table (part_max 3, folded at random
-- moments; some rows inserted straight into the log) and to a value-layout
-- table, with only 30 distinct timestamps so that ties are frequent; both
-- must equal the model (for each element the greatest (ts, removed)) at
-- every check, before and after folds.
--
SELECT setseed(0.6);
SELECT likeset_create_log('prop_log', 'int', part_max => 3);
CREATE TABLE prop_val (id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
CREATE TABLE prop_ops (n serial, page int, elem text, ts timestamptz, removed boolean);
CREATE FUNCTION pg_temp.step(i int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	page int := 1 + floor(random() * 3)::int;
	elem text := 'e' || floor(random() * 20)::int;
	ts timestamptz := '2024-01-01Z'::timestamptz + floor(random() * 30)::int * interval '1 s';
	removed boolean := random() < 0.4;
BEGIN
	IF random() < 0.1 THEN
		ts := NULL;		-- now, after the element's last operation
	END IF;
	IF ts IS NOT NULL AND random() < 0.3 THEN
		-- a row written straight into the log (COPY, a bulk load): no
		-- check that it is new, so pending rows may be beaten or tie
		INSERT INTO prop_log VALUES (page, elem, ts, removed);
		PERFORM likeset_apply_op('prop_val', page, elem, ts, removed);
	ELSIF i % 2 = 1 THEN
		-- the key as the key column's type: the log's direct index probes
		IF removed THEN
			PERFORM likeset_unlike('prop_log', page, elem, ts);
			PERFORM likeset_unlike('prop_val', page, elem, ts);
		ELSE
			PERFORM likeset_like('prop_log', page, elem, ts);
			PERFORM likeset_like('prop_val', page, elem, ts);
		END IF;
	ELSE
		-- as a bigint: the SQL statements
		IF removed THEN
			PERFORM likeset_unlike('prop_log', page::bigint, elem, ts);
			PERFORM likeset_unlike('prop_val', page::bigint, elem, ts);
		ELSE
			PERFORM likeset_like('prop_log', page::bigint, elem, ts);
			PERFORM likeset_like('prop_val', page::bigint, elem, ts);
		END IF;
	END IF;
	IF ts IS NULL THEN
		-- the model takes the timestamp the value layout chose; the log
		-- layout chose its own, later than the element's last operation too
		SELECT e.ts INTO ts FROM likeset_entry(likeset_value('prop_val', page), elem) e;
		UPDATE prop_log l SET ts = x.ts
			FROM likeset_entry(likeset_value('prop_val', page), elem) x
			WHERE l.key = page AND l.element = elem
			  AND l.ts = (SELECT max(l2.ts) FROM prop_log l2 WHERE l2.key = page AND l2.element = elem);
	END IF;
	INSERT INTO prop_ops (page, elem, ts, removed) VALUES (page, elem, ts, removed);
	IF random() < 0.01 THEN
		PERFORM likeset_fold('prop_log');
	END IF;
END $$;
CREATE FUNCTION pg_temp.mismatches() RETURNS bigint LANGUAGE sql AS $$
	WITH model AS (
		SELECT page, likeset_agg(elem, ts, removed) AS s FROM prop_ops GROUP BY page),
	pages AS (SELECT generate_series(1, 3) AS page)
	SELECT count(*) FROM pages p LEFT JOIN model m USING (page)
	WHERE likeset_value('prop_log', p.page) <> coalesce(m.s, '{}')
	   OR likeset_value('prop_val', p.page) <> coalesce(m.s, '{}')
	   OR likeset_count('prop_log', p.page) <> likeset_count(coalesce(m.s, '{}'))
	   OR likeset_count('prop_log', p.page::bigint) <> likeset_count(coalesce(m.s, '{}'))
	   OR EXISTS (SELECT 1 FROM generate_series(0, 19) e
				  WHERE likeset_contains('prop_log', p.page, 'e' || e)
					 <> likeset_contains(coalesce(m.s, '{}'), 'e' || e)
					 OR likeset_contains('prop_log', p.page::bigint, 'e' || e)
					 <> likeset_contains(coalesce(m.s, '{}'), 'e' || e))
$$;
CREATE TEMP TABLE prop_checks (round int, folded boolean, bad bigint);
DO $$
BEGIN
	FOR r IN 1..8 LOOP
		PERFORM pg_temp.step(i) FROM generate_series(1, 150) i;
		INSERT INTO prop_checks VALUES (r, false, pg_temp.mismatches());
		IF r % 2 = 0 THEN
			PERFORM likeset_fold('prop_log');
			INSERT INTO prop_checks VALUES (r, true, pg_temp.mismatches());
		END IF;
	END LOOP;
END $$;
SELECT count(*) AS checks, sum(bad) AS mismatches FROM prop_checks;
SELECT count(*) AS operations, count(DISTINCT (page, elem)) AS elements FROM prop_ops;
SELECT sum(h.present) = (SELECT sum(likeset_count('prop_log', p)) FROM generate_series(1, 3) p) AS heads_ok,
       (SELECT count(*) FROM prop_log) AS pending
FROM prop_log_head h;
SELECT count(*) > 10 AS parts_split FROM prop_log_part;
