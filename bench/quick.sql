-- bench/quick.sql: first figures for likeset, one run on an idle server.
-- psql -X -f bench/quick.sql  (needs the extension installed; creates and drops its tables)
\set ON_ERROR_STOP 1
CREATE EXTENSION IF NOT EXISTS likeset;
DROP TABLE IF EXISTS quick_pages, quick_states;
CREATE TABLE quick_pages (id int PRIMARY KEY, s likeset NOT NULL);
INSERT INTO quick_pages SELECT 1, likeset_agg('user' || g, '2026-01-01'::timestamptz + g * interval '1 ms') FROM generate_series(1, 100) g;
INSERT INTO quick_pages SELECT 2, likeset_agg('user' || g, '2026-01-01'::timestamptz + g * interval '1 ms') FROM generate_series(1, 100000) g;
\timing on
\echo 'one add (UPDATE ... SET s = s + elem), 2000 times on a set of 100 elements:'
DO $$ BEGIN FOR i IN 1..2000 LOOP UPDATE quick_pages SET s = s + ('x' || i) WHERE id = 1; END LOOP; END $$;
\echo 'one add, 50 times on a set of 100,000 elements (TOASTed, pglz):'
DO $$ BEGIN FOR i IN 1..50 LOOP UPDATE quick_pages SET s = s + ('x' || i) WHERE id = 2; END LOOP; END $$;
\timing off
CREATE TABLE quick_states AS
	SELECT g % 100 AS k, likeset_agg('u' || (g::bigint * 7919 % 1000000), '2026-01-01'::timestamptz + (g % 977) * interval '1 s') AS s
	FROM generate_series(1, 1000000) g GROUP BY 1;
\timing on
\echo 'likeset_merge_agg of 100 states x 10,000 entries (1,000,000 entries):'
SELECT likeset_count(likeset_merge_agg(s)) FROM quick_states;
\echo 'likeset_merge_agg of 1,000,000 one-element states:'
SELECT likeset_count(likeset_merge_agg(likeset_add('{}', 'u' || (g % 50000), '2026-01-01'::timestamptz + (g % 977) * interval '1 s'))) FROM generate_series(1, 1000000) g;
\timing off
DROP TABLE quick_pages, quick_states;
