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

-- refusals
SELECT likeset_compact_table('cpages', '2999-01-01 00:00:00+00');
SELECT likeset_create_log('clog');
SELECT likeset_compact_table('clog', now());
SELECT * FROM likeset_stats('clog');
SELECT likeset_like('clog', 1, 'u1'), likeset_unlike('clog', 1, 'u2');
SELECT likeset_fold('clog');
SELECT keys, present, entries, tombstones, pending FROM likeset_stats('clog');

DROP TABLE cpages, clog, clog_part, clog_head;
DELETE FROM likeset_log_tables;
