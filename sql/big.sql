--
-- A large set: 100,000 elements built, queried, changed, merged, stored
-- (TOASTed) and read back.  Only counts and booleans are printed.
--
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';

-- user1 .. user100000, each added at 2026-01-01 + i seconds
CREATE TABLE big (id int PRIMARY KEY, s likeset);
INSERT INTO big
SELECT 1, likeset_agg('user' || i, '2026-01-01 00:00:00+00'::timestamptz + i * interval '1 second')
FROM generate_series(1, 100000) i;

SELECT likeset_count(s) AS n,
       (SELECT count(*) FROM likeset_entries(s)) AS entries,
       (SELECT count(*) FROM likeset_entries(s) WHERE removed) AS tombstones,
       (SELECT count(*) FROM likeset_elements(s)) AS elements
FROM big WHERE id = 1;

-- Entries come in byte order, each with its own timestamp
SELECT (SELECT element FROM likeset_entries(s) LIMIT 1) AS first_in_byte_order,
       (SELECT min(ts) FROM likeset_entries(s)) = '2026-01-01 00:00:01+00' AS min_ts,
       (SELECT max(ts) FROM likeset_entries(s))
         = '2026-01-01 00:00:00+00'::timestamptz + interval '100000 seconds' AS max_ts,
       (SELECT bool_and(ts = '2026-01-01 00:00:00+00'::timestamptz
                             + substr(element, 5)::int * interval '1 second')
        FROM likeset_entries(s)) AS each_ts
FROM big WHERE id = 1;
SELECT count(*) AS out_of_order
FROM (SELECT element, lag(element) OVER (ORDER BY ord) AS prev
      FROM likeset_entries((SELECT s FROM big WHERE id = 1)) WITH ORDINALITY e(element, ts, removed, ord)) q
WHERE prev IS NOT NULL AND NOT (prev COLLATE "C" < element COLLATE "C");
SELECT count(*) AS elements_out_of_order
FROM (SELECT e, lag(e) OVER (ORDER BY ord) AS prev
      FROM likeset_elements((SELECT s FROM big WHERE id = 1)) WITH ORDINALITY x(e, ord)) q
WHERE prev IS NOT NULL AND NOT (prev COLLATE "C" < e COLLATE "C");

-- Membership: first, middle and last added, first and last in byte order,
-- and absent ones (including prefixes and extensions of present ones)
SELECT s @> 'user1' AS first,
       s @> 'user50000' AS middle,
       s @> 'user100000' AS last,
       s @> 'user99999' AS last_in_byte_order,
       s @> 'user0' AS absent_0,
       s @> 'user100001' AS absent_100001,
       s @> 'user' AS absent_prefix,
       s @> 'user1 ' AS absent_extension,
       s @> '' AS absent_empty
FROM big WHERE id = 1;
-- every one of them, and their neighbours, on a copy held in memory (the
-- stored value would be detoasted again for every call)
WITH m AS MATERIALIZED (SELECT s | '{}' AS s FROM big WHERE id = 1)
SELECT count(*) FILTER (WHERE likeset_contains(s, 'user' || i)) AS found,
       count(*) FILTER (WHERE NOT likeset_contains(s, 'user' || i)) AS missing,
       count(*) FILTER (WHERE likeset_contains(s, 'user' || i) <> (i BETWEEN 1 AND 100000))
         AS wrong
FROM m, generate_series(-10, 100010) i;

-- One add more, one remove more, with and without explicit timestamps
SELECT likeset_count(likeset_add(s, 'zed', '2026-06-01 00:00:00+00')) AS add_new,
       likeset_count(likeset_add(s, 'zed')) AS add_new_now,
       likeset_count(likeset_add(s, 'user7', '2026-06-01 00:00:00+00')) AS add_existing,
       likeset_count(likeset_remove(s, 'user50000', '2026-06-01 00:00:00+00')) AS remove_one,
       likeset_count(likeset_remove(s, 'user50000')) AS remove_one_now,
       likeset_count(likeset_remove(s, 'user50000', '2026-01-01 00:00:00+00')) AS remove_too_old,
       likeset_count(likeset_remove(s, 'nobody', '2026-06-01 00:00:00+00')) AS remove_absent,
       likeset_contains(likeset_remove(s, 'user50000'), 'user50000') AS removed_gone,
       likeset_contains(likeset_add(s, 'zed'), 'zed') AS added_there,
       (SELECT count(*) FROM likeset_entries(likeset_remove(s, 'nobody'))) AS entries_after_tombstone
FROM big WHERE id = 1;
-- Undo by re-adding later gives the set back, apart from that one timestamp
SELECT likeset_count(likeset_add(likeset_remove(s, 'user50000', '2026-06-01 00:00:00+00'),
                                 'user50000', '2026-06-02 00:00:00+00')) AS readded,
       likeset_add(likeset_remove(s, 'user50000', '2026-06-01 00:00:00+00'),
                   'user50000', '2026-06-02 00:00:00+00')
         = likeset_add(s, 'user50000', '2026-06-02 00:00:00+00') AS same_state
FROM big WHERE id = 1;

-- A second set of 100,000 entries, overlapping half of the first, built
-- from its text form: user50001 .. user150000; in the overlap the even ones
-- are removed one second after the first set added them (the removal wins),
-- the odd ones added one second before (the first set's later add wins)
INSERT INTO big
SELECT 2, ('{' || string_agg(
         CASE WHEN i <= 100000 AND i % 2 = 0 THEN '-' ELSE '' END || 'user' || i || '@' ||
         to_char(('2026-01-01 00:00:00+00'::timestamptz + i * interval '1 second'
                  + CASE WHEN i > 100000 THEN interval '0'
                         WHEN i % 2 = 0 THEN interval '1 second'
                         ELSE interval '-1 second' END) AT TIME ZONE 'UTC',
                 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         ',') || '}')::likeset
FROM generate_series(50001, 150000) i;
SELECT likeset_count(s) AS n,
       (SELECT count(*) FROM likeset_entries(s)) AS entries,
       (SELECT count(*) FROM likeset_entries(s) WHERE removed) AS tombstones
FROM big WHERE id = 2;

-- The merge: 1..50000, the odd ones of 50001..100000 and 100001..150000
-- are present (125,000); the even ones of the overlap are tombstones
CREATE TABLE big_merged AS
SELECT a.s | b.s AS ab, b.s | a.s AS ba, likeset_merge(likeset_merge(a.s, b.s), b.s) AS abb
FROM big a, big b WHERE a.id = 1 AND b.id = 2;
SELECT likeset_count(ab) AS n,
       (SELECT count(*) FROM likeset_entries(ab)) AS entries,
       (SELECT count(*) FROM likeset_entries(ab) WHERE removed) AS tombstones,
       ab = ba AS commutative,
       abb = ab AS idempotent,
       ab @> 'user1' AS has_1,
       ab @> 'user50001' AS has_50001_odd,
       ab @> 'user50002' AS has_50002_even,
       ab @> 'user100000' AS has_100000_even,
       ab @> 'user150000' AS has_150000
FROM big_merged;
-- every entry of the merge is the later of the two operations
SELECT count(*) AS wrong_entries
FROM likeset_entries((SELECT ab FROM big_merged)) m
WHERE m.removed <> (substr(m.element, 5)::int BETWEEN 50001 AND 100000
                    AND substr(m.element, 5)::int % 2 = 0)
   OR m.ts <> '2026-01-01 00:00:00+00'::timestamptz
              + substr(m.element, 5)::int * interval '1 second'
              + CASE WHEN m.removed THEN interval '1 second' ELSE interval '0' END;
-- the merge agrees with likeset_merge_agg over the two rows
SELECT likeset_merge_agg(s) = (SELECT ab FROM big_merged) AS merge_agg_agrees
FROM big;

-- Text round trip of the big values
SELECT id, s::text::likeset = s AS round_trip FROM big ORDER BY id;
SELECT ab::text::likeset = ab AS merged_round_trip FROM big_merged;

-- Stored values are TOASTed: compressed and out of line, far smaller
-- than their text, and they read back intact
INSERT INTO big SELECT 3, ab FROM big_merged;
SELECT id,
       pg_column_size(s) < pg_column_size(s | '{}') AS compressed,
       pg_column_size(s) < octet_length(s::text) / 2 AS smaller_than_half_the_text,
       likeset_count(s) AS n
FROM big ORDER BY id;
SELECT pg_relation_size(reltoastrelid) > 0 AS has_toast
FROM pg_class WHERE relname = 'big';
SELECT (SELECT s FROM big WHERE id = 3) = (SELECT ab FROM big_merged) AS stored_equal,
       (SELECT s::text FROM big WHERE id = 3) = (SELECT ab::text FROM big_merged) AS stored_text_equal;

-- Out of line but uncompressed (STORAGE EXTERNAL): count reads only a
-- slice of the value; everything else reads all of it
CREATE TABLE big_ext (id int PRIMARY KEY, s likeset);
ALTER TABLE big_ext ALTER COLUMN s SET STORAGE EXTERNAL;
INSERT INTO big_ext SELECT id, s FROM big;
SELECT id, likeset_count(s) AS n,
       (SELECT count(*) FROM likeset_entries(s)) AS entries,
       (SELECT count(*) FROM likeset_elements(s)) AS elements,
       s = (SELECT b.s FROM big b WHERE b.id = big_ext.id) AS equal,
       s @> 'user100000' AS has_100000
FROM big_ext ORDER BY id;

-- likeset_count on the stored, toasted value agrees with the entries
SELECT id, likeset_count(s) = (SELECT count(*) FROM likeset_entries(s) WHERE NOT removed)
         AS count_agrees
FROM big ORDER BY id;

-- A stored value updated in place: add to it and remove from it
UPDATE big SET s = likeset_remove(likeset_add(s, 'zed', '2026-06-01 00:00:00+00'),
                                  'user1', '2026-06-01 00:00:00+00')
WHERE id = 1;
SELECT likeset_count(s) AS n, s @> 'zed' AS has_zed, s @> 'user1' AS has_user1,
       (SELECT count(*) FROM likeset_entries(s)) AS entries
FROM big WHERE id = 1;

-- likeset_merge_agg of 1,000 small states equals likeset_agg of the union
-- of their rows: 1,000 groups of 20 rows over 5,000 elements, so elements
-- repeat across groups with different timestamps
CREATE TABLE big_rows AS
SELECT g, 'e' || ((g * 37 + k * 101) % 5000) AS e,
       '2026-01-01 00:00:00+00'::timestamptz + ((g * 7919 + k * 104729) % 86400) * interval '1 second' AS ts
FROM generate_series(1, 1000) g, generate_series(1, 20) k;
CREATE TABLE big_states AS
SELECT g, likeset_agg(e, ts) AS s FROM big_rows GROUP BY g;
SELECT count(*) AS states, sum(likeset_count(s)) AS sum_of_counts FROM big_states;
SELECT likeset_count(m) AS n,
       m = (SELECT likeset_agg(e, ts) FROM big_rows) AS equals_agg_of_union,
       likeset_count(m) = (SELECT count(DISTINCT e) FROM big_rows) AS count_is_distinct
FROM (SELECT likeset_merge_agg(s) AS m FROM big_states) q;
-- each element keeps its latest timestamp
SELECT count(*) AS wrong_ts
FROM likeset_entries((SELECT likeset_merge_agg(s) FROM big_states)) x
JOIN (SELECT e, max(ts) AS ts FROM big_rows GROUP BY e) r ON r.e = x.element
WHERE x.ts <> r.ts OR x.removed;

-- The same with tombstones: each state also removes 5 elements; the result
-- must equal the state built from every element's greatest operation
-- (latest timestamp, a remove winning a tie), written as text
CREATE TABLE big_ops AS
SELECT g, e, ts, false AS removed FROM big_rows
UNION ALL
SELECT g, 'e' || ((g * 53 + k * 997) % 5000),
       '2026-01-01 00:00:00+00'::timestamptz + ((g * 104723 + k * 7907) % 86400) * interval '1 second',
       true
FROM generate_series(1, 1000) g, generate_series(1, 5) k;
CREATE TABLE big_states2 AS
SELECT g, likeset_merge_agg(CASE WHEN removed THEN likeset_remove('{}', e, ts)
                                 ELSE likeset_add('{}', e, ts) END) AS s
FROM big_ops GROUP BY g;
SELECT likeset_count(m) AS n,
       (SELECT count(*) FROM likeset_entries(m) WHERE removed) AS tombstones,
       m = (SELECT ('{' || string_agg(CASE WHEN removed THEN '-' ELSE '' END || e || '@' ||
                                      to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                      ',') || '}')::likeset
            FROM (SELECT DISTINCT ON (e) e, ts, removed FROM big_ops
                  ORDER BY e, ts DESC, removed DESC) w) AS equals_oracle
FROM (SELECT likeset_merge_agg(s) AS m FROM big_states2) q;
-- and the order the states come in does not matter
SELECT (SELECT likeset_merge_agg(s ORDER BY g) FROM big_states2)
     = (SELECT likeset_merge_agg(s ORDER BY g DESC) FROM big_states2) AS order_independent,
       (SELECT likeset_merge_agg(s ORDER BY g) FROM big_states2)
     = (SELECT likeset_merge_agg(s ORDER BY md5(g::text)) FROM big_states2) AS shuffle_independent;

-- Parallel aggregation (combine, serialize, deserialize) gives the same sets
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TABLE big_par AS
SELECT (SELECT likeset_merge_agg(s) FROM big_states2) AS merge_agg,
       (SELECT likeset_agg(e, ts) FROM big_rows) AS agg_ts,
       (SELECT likeset_agg(e) FROM big_rows) AS agg;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SELECT merge_agg = (SELECT likeset_merge_agg(s) FROM big_states2) AS merge_agg_same,
       agg_ts = (SELECT likeset_agg(e, ts) FROM big_rows) AS agg_ts_same,
       agg = (SELECT likeset_agg(e) FROM big_rows) AS agg_same
FROM big_par;
RESET max_parallel_workers_per_gather;

DROP TABLE big, big_merged, big_ext, big_rows, big_states, big_ops, big_states2, big_par;
RESET DateStyle;
RESET TimeZone;
