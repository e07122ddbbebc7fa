-- bench/load.sql: the four approaches' tables for one set size, in schema :schema.
-- psql -v schema=sz200 -v size=200 -v pages=1000 -f bench/load.sql
--
-- Page p (1..pages) is liked by users 'user' || (100000 + i), i = 1..size,
-- each at a random time in January 2026.  The normalized table is loaded
-- first; the other three are built from it (the build workload times the
-- same aggregates again, in memory).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET work_mem = '256MB';
DROP SCHEMA IF EXISTS :schema CASCADE;
CREATE SCHEMA :schema;
SET search_path = :schema, public;
SELECT setseed(0.25) \gset

-- normalized last-writer-wins table: one row per (page, user), tombstones as removed = true
CREATE TABLE norm_likes (
	page_id int NOT NULL,
	user_id text NOT NULL,
	ts timestamptz NOT NULL,
	removed boolean NOT NULL DEFAULT false
);
INSERT INTO norm_likes
	SELECT p, 'user' || (100000 + i),
		   timestamptz '2026-01-01 00:00:00+00' + random() * interval '31 days', false
	FROM generate_series(1, :pages) p, generate_series(1, :size) i;
-- the key built after the load: the most compact index the table can have
ALTER TABLE norm_likes ADD PRIMARY KEY (page_id, user_id);

-- likeset: one row per page
CREATE TABLE likeset_pages (page_id int PRIMARY KEY, likes likeset NOT NULL);
INSERT INTO likeset_pages
	SELECT page_id, likeset_agg(user_id, ts) FROM norm_likes GROUP BY page_id ORDER BY page_id;

-- jsonb: {user: "timestamp"} of present likes, and the same map of unlikes (tombstones)
CREATE TABLE jsonb_pages (
	page_id int PRIMARY KEY,
	likes jsonb NOT NULL,
	unlikes jsonb NOT NULL DEFAULT '{}'
);
INSERT INTO jsonb_pages (page_id, likes)
	SELECT page_id, jsonb_object_agg(user_id, ts) FROM norm_likes GROUP BY page_id ORDER BY page_id;

-- the counter column
CREATE TABLE counter_pages (page_id int PRIMARY KEY, n int NOT NULL);
INSERT INTO counter_pages
	SELECT page_id, count(*) FROM norm_likes GROUP BY page_id ORDER BY page_id;

VACUUM ANALYZE norm_likes, likeset_pages, jsonb_pages, counter_pages;

-- sanity: every approach holds the same likes
DO $$
DECLARE
	bad int;
BEGIN
	SELECT count(*) INTO bad
	FROM counter_pages c
	JOIN likeset_pages l USING (page_id)
	JOIN jsonb_pages j USING (page_id)
	WHERE likeset_count(l.likes) <> c.n
	   OR (SELECT count(*) FROM jsonb_object_keys(j.likes)) <> c.n
	   OR c.n <> (SELECT count(*) FROM norm_likes nl WHERE nl.page_id = c.page_id AND NOT nl.removed);
	IF bad <> 0 THEN
		RAISE EXCEPTION 'load: % pages disagree between approaches', bad;
	END IF;
END
$$;
