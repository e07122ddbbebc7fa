--
-- Tombstones over the years: likeset_stats, the safe horizon on a node,
-- and likeset_compact_table (value layout; log tables are refused).
--
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
\set SHOW_CONTEXT never

CREATE TABLE cpages (id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
INSERT INTO cpages VALUES
	(1, '{a@2020-01-01T00:00:00Z,-b@2020-02-01T00:00:00Z,-c@2020-03-01T00:00:00Z,-d@2099-01-01T00:00:00Z}'),
	(2, '{x@2020-01-01T00:00:00Z}'),
	(3, '{-"long element, quoted"@2021-01-01T00:00:00Z}');
SELECT * FROM likeset_stats('cpages');
-- per value: timestamp, end offset and element bytes of each tombstone
SELECT id, likeset_tombstone_bytes(likes) FROM cpages ORDER BY id;

-- without subscriptions the safe horizon is now() less the margin
SELECT likeset_safe_horizon('1 hour') = now() - interval '1 hour' AS single_node,
	   likeset_safe_horizon() = now() - interval '1 hour' AS default_margin;
SELECT likeset_safe_horizon('-1 s');

-- compaction at an explicit horizon rewrites only rows it changes
SELECT likeset_compact_table('cpages', '2020-02-15 00:00:00+00') AS rewritten;
SELECT id, likes FROM cpages ORDER BY id;
SELECT likeset_compact_table('cpages', '2020-02-15 00:00:00+00') AS again;
-- the default horizon (safe) drops what is older than an hour ago; a
-- tombstone in the future stays
SELECT likeset_compact_table('cpages') AS rewritten;
SELECT id, likes, likeset_horizon(likes) FROM cpages ORDER BY id;
SELECT keys, present, entries, tombstones, oldest_horizon, newest_horizon FROM likeset_stats('cpages');
-- a late like older than the horizon does not bring c or the quoted one back
UPDATE cpages SET likes = likeset_add(likes, 'c', '2020-01-15 00:00:00+00') WHERE id = 1;
UPDATE cpages SET likes = likes | '{"long element, quoted"@2020-12-01T00:00:00Z}' WHERE id = 3;
SELECT id, likeset_count(likes), likes @> 'c' AS has_c FROM cpages ORDER BY id;
-- a newer one does
UPDATE cpages SET likes = likeset_add(likes, 'c', '2030-01-01 00:00:00+00') WHERE id = 1;
SELECT likes @> 'c' AS has_c FROM cpages WHERE id = 1;

-- a round rewrites its rows in the order of the replica identity key, not
-- in the heap's order (which differs between nodes): peers' rounds applied
-- at once on a third node then lock rows in one order and cannot deadlock
CREATE TABLE corder (k text PRIMARY KEY, likes likeset NOT NULL);
INSERT INTO corder
SELECT k, '{a@2020-01-01T00:00:00Z,-b@2020-02-01T00:00:00Z}'
FROM unnest(ARRAY['delta', 'Bravo', 'alpha', 'Charlie', 'echo', '_x']) k;
-- a trigger notes the key of each row rewritten (it runs under the
-- function's pinned search_path, hence public.rewrite_order)
CREATE TABLE rewrite_order (n serial, tbl regclass, k text);
CREATE FUNCTION note_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.rewrite_order (tbl, k) VALUES (TG_RELID, (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) 'likes')::text);
	RETURN NEW;
END $$;
CREATE TRIGGER note_rewrite AFTER UPDATE ON corder FOR EACH ROW EXECUTE FUNCTION note_rewrite();
SELECT likeset_compact_table('corder', '2020-06-01 00:00:00+00') AS rewritten;
-- byte order ("C"), whatever the database's collation says
SELECT string_agg(k, ' ' ORDER BY n) AS rewrite_order FROM rewrite_order;
TRUNCATE rewrite_order;
-- a composite key with a descending column: the index's own operators and
-- directions (likeset_compact_table wants a one-column key, as the like
-- functions do; the rewrites themselves need none)
CREATE TABLE corder2 (a int NOT NULL, b int NOT NULL, likes likeset NOT NULL);
CREATE UNIQUE INDEX corder2_ab ON corder2 (b DESC, a);
ALTER TABLE corder2 REPLICA IDENTITY USING INDEX corder2_ab;
INSERT INTO corder2 SELECT a, b, '{-b@2020-02-01T00:00:00Z}'
FROM (VALUES (1, 1), (2, 1), (1, 2), (2, 2), (1, 3)) v(a, b) ORDER BY random();
CREATE TRIGGER note_rewrite AFTER UPDATE ON corder2 FOR EACH ROW EXECUTE FUNCTION note_rewrite();
SELECT likeset_compact_rows('corder2', 'likes', '2020-06-01 00:00:00+00') AS rewritten;
SELECT string_agg(k, ' ' ORDER BY n) AS rewrite_order FROM rewrite_order;
TRUNCATE rewrite_order;
-- a partitioned table: the rows of every partition, in key order
CREATE TABLE cpart (id int PRIMARY KEY, likes likeset NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE cpart_1 PARTITION OF cpart FOR VALUES FROM (1) TO (4);
CREATE TABLE cpart_2 PARTITION OF cpart FOR VALUES FROM (4) TO (10);
INSERT INTO cpart SELECT g, '{x@2020-01-01T00:00:00Z,-y@2020-02-01T00:00:00Z}' FROM generate_series(9, 1, -1) g;
CREATE TRIGGER note_rewrite AFTER UPDATE ON cpart FOR EACH ROW EXECUTE FUNCTION note_rewrite();
SELECT likeset_compact_table('cpart', '2020-06-01 00:00:00+00') AS rewritten;
SELECT string_agg(tbl || ' ' || k, ', ' ORDER BY n) AS rewrite_order FROM rewrite_order;
SELECT count(*), min(likes::text), max(likes::text) FROM cpart;
SELECT likeset_compact_table('cpart', '2020-06-01 00:00:00+00') AS again;
DROP TABLE corder, rewrite_order, corder2, cpart;
DROP FUNCTION note_rewrite();

-- refusals
SELECT likeset_compact_rows('cpages', 'id', now());
SELECT likeset_compact_rows('cpages', 'no_such_column', now());
SELECT likeset_compact_table('cpages', '2999-01-01 00:00:00+00');
SELECT likeset_create_log('clog');
SELECT likeset_compact_table('clog', now());
SELECT * FROM likeset_stats('clog');
SELECT likeset_like('clog', 1, 'u1'), likeset_unlike('clog', 1, 'u2');
SELECT likeset_fold('clog');
SELECT keys, present, entries, tombstones, pending FROM likeset_stats('clog');

DROP TABLE cpages, clog, clog_part, clog_head;
DELETE FROM likeset_log_tables;
