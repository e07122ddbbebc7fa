--
-- likeset_digest: 32 hex digits of SHA-256 over a canonical serialization
-- of the whole state.  Equal for equal states however they were built,
-- different when anything in the state differs, the same whatever the
-- session's settings, and the same on every platform (the fixed values
-- below were computed independently from the documented serialization).
-- Every property check prints how many cases it checked and how many
-- failed (0).
--
SET client_min_messages = warning;

-- fixed values: these never change, on any platform or version
SELECT likeset_digest('{}') AS empty,
       likeset_digest('{a}') AS bare_a,
       likeset_digest('{a@2026-01-01T00:00:00Z}') AS a_2026,
       likeset_digest('{tara@2026-11-28T10:00:00.5Z,-tahir@2026-11-28T10:05:00Z,é}') AS mixed,
       likeset_digest('@2026-01-02T00:00:00.000001Z{a@2026-01-01T00:00:00Z}') AS with_horizon;
SELECT length(likeset_digest('{x}')) AS hex_digits, likeset_digest('{x}') ~ '^[0-9a-f]{32}$' AS lowercase_hex;

-- NULL in, NULL out
SELECT likeset_digest(NULL::likeset) IS NULL AS null_digest;

-- one state built in several ways: literal (any order, with repeats),
-- operations in different orders, aggregates, merges in different orders
-- and groupings, and round trips through text and text[]
WITH v(how, s) AS (VALUES
	('literal',
	 '{b@2026-01-02T00:00:00Z,-a@2026-01-03T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z,c}'::likeset),
	('literal, other order and repeats',
	 '{c,-a@2026-01-03T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z,a@2026-01-01T00:00:00Z,b@2026-01-02T00:00:00Z,c}'::likeset),
	('literal, other zone notation',
	 '{"é"@2026-01-01 02:00:00.000001+02,b@2026-01-01T19:00:00-05,-a@2026-01-03T00:00:00Z,c}'::likeset),
	('operations',
	 likeset_remove(likeset_add(likeset_add(likeset_add(likeset_add('{c}',
		'a', '2026-01-01Z'), 'b', '2026-01-02Z'), 'é', '2026-01-01 00:00:00.000001Z'),
		'a', '2026-01-02Z'), 'a', '2026-01-03Z')),
	('operations, reversed',
	 likeset_add(likeset_add(likeset_add(likeset_add(likeset_remove('{c}',
		'a', '2026-01-03Z'), 'a', '2026-01-02Z'), 'é', '2026-01-01 00:00:00.000001Z'),
		'b', '2026-01-02Z'), 'a', '2026-01-01Z')),
	('merge a | b', '{-a@2026-01-03T00:00:00Z,c}'::likeset | '{b@2026-01-02T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z}'),
	('merge b | a', '{b@2026-01-02T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z}'::likeset | '{-a@2026-01-03T00:00:00Z,c}'),
	('merge with itself', ('{-a@2026-01-03T00:00:00Z,c}'::likeset | '{b@2026-01-02T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z}')
		| ('{-a@2026-01-03T00:00:00Z,c}'::likeset | '{b@2026-01-02T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z}')),
	('likeset_agg(elem, ts, removed)',
	 (SELECT likeset_agg(e, t, r ORDER BY e DESC) FROM (VALUES
		('a', '2026-01-01Z'::timestamptz, false), ('a', '2026-01-03Z', true), ('a', '2026-01-02Z', false),
		('b', '2026-01-02Z', false), ('é', '2026-01-01 00:00:00.000001Z', false)) AS o(e, t, r))
	 | '{c}'),
	('likeset_merge_agg, three pieces',
	 (SELECT likeset_merge_agg(p ORDER BY k) FROM (VALUES
		(3, '{c,a@2026-01-01T00:00:00Z}'::likeset), (1, '{-a@2026-01-03T00:00:00Z}'),
		(2, '{b@2026-01-02T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z}')) AS x(k, p))),
	('text round trip',
	 '{b@2026-01-02T00:00:00Z,-a@2026-01-03T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z,c}'::likeset::text::likeset),
	('text[] cast, then merges',
	 ARRAY['c']::likeset | '{-a@2026-01-03T00:00:00Z,b@2026-01-02T00:00:00Z,"é"@2026-01-01T00:00:00.000001Z}')
)
SELECT how, likeset_digest(s), s = (SELECT s FROM v LIMIT 1) AS equal_state FROM v;

-- a change of one timestamp (1 microsecond), one flag, one element byte,
-- one element more or less: the digest changes
WITH base(s) AS (SELECT '{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c}'::likeset),
v(what, s) AS (VALUES
	('base', (SELECT s FROM base)),
	('timestamp + 1 us', '{a@2026-01-01T00:00:00.000001Z,-b@2026-01-02T00:00:00Z,c}'),
	('bare c timestamped', '{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c@2026-01-01T00:00:00Z}'),
	('b added, not removed', '{a@2026-01-01T00:00:00Z,b@2026-01-02T00:00:00Z,c}'),
	('c removed', '{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,-c}'),
	('A for a', '{A@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c}'),
	('a with a space', '{"a "@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c}'),
	('one element more', '{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c,d}'),
	('tombstone b gone', '{a@2026-01-01T00:00:00Z,c}'),
	('elements merged: ab', '{ab@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c}'),
	('a horizon recorded', '@2026-01-01T00:00:00Z{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c}'),
	('the horizon 1 us later', '@2026-01-01T00:00:00.000001Z{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c}'),
	('empty', '{}')
)
SELECT what, likeset_digest(v.s) = likeset_digest(base.s) AS same_digest, v.s = base.s AS same_state
FROM v, base;
-- two horizons a microsecond apart, the entries the same
SELECT likeset_digest('@2026-01-01T00:00:00Z{a@2026-01-01T00:00:00Z}')
	   <> likeset_digest('@2026-01-01T00:00:00.000001Z{a@2026-01-01T00:00:00Z}') AS horizons_differ;

-- Random states: 150 states of 1 to 8 operations over 6 elements and 4
-- timestamps a microsecond apart, so that some states are equal; over
-- every pair, the digests are equal exactly when the states are
SELECT setseed(0.5);
CREATE TEMP TABLE rops AS
SELECT c AS case_id,
	   (ARRAY['', 'a', 'b', 'é', 'x y', 'A'])[1 + floor(random() * 6)::int] AS elem,
	   '2026-01-01Z'::timestamptz + floor(random() * 4)::int * interval '1 microsecond' AS ts,
	   random() < 0.3 AS removed,
	   random() AS shuffle
FROM generate_series(1, 150) AS c, generate_series(1, 1 + c % 8) AS k;
CREATE TEMP TABLE rstates AS
SELECT case_id,
	   likeset_agg(elem, ts, removed ORDER BY shuffle) AS s,
	   likeset_agg(elem, ts, removed ORDER BY shuffle DESC) AS s_reversed
FROM rops GROUP BY case_id;
SELECT count(*) AS cases,
	   count(*) FILTER (WHERE likeset_digest(s) <> likeset_digest(s_reversed) OR s <> s_reversed) AS failed
FROM rstates;
-- the states, and the same compacted at two horizons (a compaction that
-- drops tombstones records its horizon)
CREATE TEMP TABLE rall AS
SELECT s, likeset_digest(s) AS d
FROM (SELECT s FROM rstates
	  UNION ALL SELECT likeset_compact(s, '2026-01-01 00:00:00.000002Z') FROM rstates
	  UNION ALL SELECT likeset_compact(s, '2026-01-01 00:00:00.000003Z') FROM rstates) AS x;
SELECT count(*) AS pairs,
	   count(*) FILTER (WHERE a.s = b.s) AS equal_pairs,
	   count(*) FILTER (WHERE (a.d = b.d) <> (a.s = b.s)) AS failed
FROM rall AS a, rall AS b;
-- merges of every pair in both orders, and the merge laws seen through the digest
SELECT count(*) AS pairs,
	   count(*) FILTER (WHERE likeset_digest(a.s | b.s) <> likeset_digest(b.s | a.s)
						   OR likeset_digest((a.s | b.s) | b.s) <> likeset_digest(a.s | b.s)) AS failed
FROM rstates AS a, rstates AS b WHERE a.case_id <= 40 AND b.case_id <= 40;

-- compaction: the digest changes exactly when the value does (compaction
-- drops tombstones, and the header's horizon is part of the digest)
SELECT count(*) AS cases, count(*) FILTER (WHERE c <> s) AS changed,
	   count(*) FILTER (WHERE (likeset_digest(c) = likeset_digest(s)) <> (c = s)) AS failed
FROM (SELECT s, likeset_compact(s, h) AS c
	  FROM rstates, (VALUES ('2026-01-01 00:00:00.000002Z'::timestamptz), ('infinity')) AS hs(h)) AS x;

-- the same digests under other session settings
CREATE TEMP TABLE ref AS SELECT case_id, likeset_digest(s) AS d FROM rstates;
SET DateStyle = 'German, DMY';
SET TimeZone = 'Asia/Kathmandu';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = 0;
SET lc_messages = 'C';
SET lc_monetary = 'C';
SET lc_numeric = 'C';
SET lc_time = 'C';
SET bytea_output = 'escape';
SELECT count(*) AS cases, count(*) FILTER (WHERE likeset_digest(s) <> d) AS failed
FROM rstates JOIN ref USING (case_id);
SET DateStyle = 'SQL, MDY';
SET TimeZone = 'America/St_Johns';
SELECT likeset_digest('{tara@2026-11-28T10:00:00.5Z,-tahir@2026-11-28T10:05:00Z,é}') AS mixed;
SELECT count(*) AS cases, count(*) FILTER (WHERE likeset_digest(s::text::likeset) <> d) AS failed
FROM rstates JOIN ref USING (case_id);
RESET ALL;
SET client_min_messages = warning;

-- likeset_digest(tbl, key): the digest of the key's whole state, on both
-- layouts; the log layout's digest is the same pending or folded
SELECT likeset_create_log('dg_log', 'int');
CREATE TABLE dg_pages (id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
SELECT count(likeset_like(t, 1, e, ts)) FROM unnest(ARRAY['dg_log', 'dg_pages']::regclass[]) AS t,
	(VALUES ('tara', '2026-11-28 10:00:00.5Z'::timestamptz), ('tahir', '2026-11-28 10:01:00Z'),
			('é', '2026-11-28 10:02:00Z')) AS o(e, ts);
SELECT count(likeset_unlike(t, 1, 'tahir', '2026-11-28 10:05:00Z'))
FROM unnest(ARRAY['dg_log', 'dg_pages']::regclass[]) AS t;
SELECT likeset_digest('dg_log', 1) AS log_pending, likeset_digest('dg_pages', 1) AS value,
	   likeset_digest('{tara@2026-11-28T10:00:00.5Z,-tahir@2026-11-28T10:05:00Z,"é"@2026-11-28T10:02:00Z}') AS literal;
SELECT likeset_fold('dg_log') AS folded;
SELECT likeset_digest('dg_log', 1) = likeset_digest('dg_pages', 1) AS folded_same,
	   likeset_digest('dg_log', 1) = likeset_digest(likeset_value('dg_log', 1)) AS same_as_value;
-- a key without likes: the empty state's digest; a NULL key: NULL
SELECT likeset_digest('dg_log', 2) = likeset_digest('{}') AS log_empty,
	   likeset_digest('dg_pages', 2) = likeset_digest('{}') AS value_empty,
	   likeset_digest('dg_pages', NULL::int) IS NULL AS null_key;

-- comparing two "nodes": the rows whose digests differ, and the repair
CREATE TABLE node_a (page_id int PRIMARY KEY, likes likeset NOT NULL);
CREATE TABLE node_b (page_id int PRIMARY KEY, likes likeset NOT NULL);
INSERT INTO node_a VALUES (1, '{x@2026-01-01T00:00:00Z}'), (2, '{y@2026-01-01T00:00:00Z}'), (3, '{}');
INSERT INTO node_b VALUES (1, '{x@2026-01-01T00:00:00Z}'), (2, '{-y@2026-01-02T00:00:00Z}'), (3, '{z}');
SELECT a.page_id FROM node_a AS a JOIN node_b AS b USING (page_id)
WHERE likeset_digest(a.likes) <> likeset_digest(b.likes) ORDER BY 1;
UPDATE node_a AS a SET likes = a.likes | b.likes FROM node_b AS b WHERE a.page_id = b.page_id AND a.page_id IN (2, 3);
UPDATE node_b AS b SET likes = b.likes | a.likes FROM node_a AS a WHERE a.page_id = b.page_id AND a.page_id IN (2, 3);
SELECT count(*) AS differing FROM node_a AS a JOIN node_b AS b USING (page_id)
WHERE likeset_digest(a.likes) <> likeset_digest(b.likes);

DROP TABLE node_a, node_b, dg_pages;
