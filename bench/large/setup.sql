-- bench/large/setup.sql: the three approaches' tables for the large-sets
-- benchmark (bench/large.sh), in schema lg; one page per set size, its key
-- being the size (page 100 has 100 likes, page 1000000 a million).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS lg CASCADE;
CREATE SCHEMA lg;
SET search_path = lg, public;

-- log layout: lg.page_likes (replicated, insert only), lg.page_likes_part
-- and lg.page_likes_head (node-local)
SELECT likeset_create_log('page_likes', 'bigint', part_max => :part_max) IS NOT NULL AS created \gset

-- value layout: one likeset per page
CREATE TABLE pages (id bigint PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');

-- normalized last-writer-wins table; its primary key is built after the load
CREATE TABLE norm_likes (
	page bigint NOT NULL,
	user_id text NOT NULL,
	ts timestamptz NOT NULL,
	removed boolean NOT NULL DEFAULT false
);

-- a counter column per page (a count kept by the application), the floor a
-- count can aim at: count_counter.pgbench reads it by primary key
CREATE TABLE counters (page bigint PRIMARY KEY, n bigint NOT NULL);

-- what a subscriber would receive: the log table's inserts only, and every
-- change of the other two tables
CREATE PUBLICATION lg_pub_log FOR TABLE page_likes (key, element, ts, removed) WITH (publish = 'insert');
CREATE PUBLICATION lg_pub_rest FOR TABLE pages, norm_likes;
