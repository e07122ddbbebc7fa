--
-- ops: every function and operator on likeset, the last-writer-wins
-- semantics of DESIGN.md in small scenarios, the byte order of elements,
-- the operator classes, and the catalog labels of the extension's functions.
-- Timestamps are explicit wherever a value is printed; operations that read
-- the clock only show booleans and counts.
--
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

--
-- A like, a retried like, an unlike, a late retry of the like
--
-- tara likes the page at 10:00
SELECT likeset_add('{}', 'tara', '2026-01-01 10:00:00+00') AS liked;
-- the same like retried (a lost acknowledgement): counted once, state unchanged
SELECT s, likeset_count(s) AS n,
       s = likeset_add('{}', 'tara', '2026-01-01 10:00:00+00') AS same_as_once
FROM (SELECT likeset_add(likeset_add('{}', 'tara', '2026-01-01 10:00:00+00'),
                         'tara', '2026-01-01 10:00:00+00') AS s) q;
-- tara unlikes at 10:05: a tombstone, count 0
SELECT s, likeset_count(s) AS n, likeset_contains(s, 'tara') AS has_tara, s @> 'tara' AS op
FROM (SELECT likeset_remove('{tara@2026-01-01T10:00:00Z}', 'tara',
                            '2026-01-01 10:05:00+00') AS s) q;
-- the like is retried late, with its original (older) timestamp: no effect
SELECT s, likeset_count(s) AS n, s @> 'tara' AS has_tara
FROM (SELECT likeset_add('{-tara@2026-01-01T10:05:00Z}', 'tara',
                         '2026-01-01 10:00:00+00') AS s) q;
-- ... whereas a newer like wins over the unlike
SELECT s, likeset_count(s) AS n, s @> 'tara' AS has_tara
FROM (SELECT likeset_add('{-tara@2026-01-01T10:05:00Z}', 'tara',
                         '2026-01-01 10:06:00+00') AS s) q;
-- the same story told with merges, in every arrival order
WITH ops(name, s) AS (VALUES
    ('like',   '{tara@2026-01-01T10:00:00Z}'::likeset),
    ('unlike', '{-tara@2026-01-01T10:05:00Z}'::likeset))
SELECT a.name AS first, b.name AS second, a.s | b.s AS merged,
       likeset_merge(a.s, b.s) = likeset_merge(b.s, a.s) AS commutes
FROM ops a, ops b ORDER BY 1, 2;
-- an older remove cannot undo a newer add
SELECT likeset_remove('{tara@2026-01-01T10:05:00Z}', 'tara', '2026-01-01 10:00:00+00') AS s;

--
-- Equal timestamps: remove beats add, whatever the order
--
SELECT likeset_remove(likeset_add('{}', 'x', '2026-02-01 00:00:00+00'),
                      'x', '2026-02-01 00:00:00+00') AS add_then_remove,
       likeset_add(likeset_remove('{}', 'x', '2026-02-01 00:00:00+00'),
                   'x', '2026-02-01 00:00:00+00') AS remove_then_add;
SELECT '{x@2026-02-01T00:00:00Z}'::likeset | '{-x@2026-02-01T00:00:00Z}' AS add_merge_remove,
       '{-x@2026-02-01T00:00:00Z}'::likeset | '{x@2026-02-01T00:00:00Z}' AS remove_merge_add,
       likeset_merge('{x@2026-02-01T00:00:00Z}', '{-x@2026-02-01T00:00:00Z}')
         @> 'x' AS present;
-- one microsecond later the add wins again
SELECT '{-x@2026-02-01T00:00:00Z}'::likeset | '{x@2026-02-01T00:00:00.000001Z}' AS later_add;

--
-- Remove of an element never added: the tombstone beats a later-arriving
-- older add, but not a newer one
--
SELECT likeset_remove('{}', 'ghost', '2026-03-01 12:00:00+00') AS s;
SELECT s, likeset_count(s) AS n, s @> 'ghost' AS has_ghost
FROM (SELECT likeset_add(likeset_remove('{}', 'ghost', '2026-03-01 12:00:00+00'),
                         'ghost', '2026-03-01 11:00:00+00') AS s) q;
SELECT s, likeset_count(s) AS n, s @> 'ghost' AS has_ghost
FROM (SELECT likeset_add(likeset_remove('{}', 'ghost', '2026-03-01 12:00:00+00'),
                         'ghost', '2026-03-01 13:00:00+00') AS s) q;
-- removing a tombstone again with an older timestamp keeps the newer one
SELECT likeset_remove('{-ghost@2026-03-01T12:00:00Z}', 'ghost', '2026-03-01 09:00:00+00') AS s;

--
-- Operations without a timestamp (they read the clock: only booleans here)
--
-- on an ordinary state: the clock's time, present after the add, absent after the remove
SELECT likeset_add('{a@2020-01-01T00:00:00Z}', 'b') @> 'b' AS added,
       likeset_count(likeset_add('{a@2020-01-01T00:00:00Z}', 'b')) AS n,
       likeset_remove('{a@2020-01-01T00:00:00Z}', 'a') @> 'a' AS still_a,
       likeset_count(likeset_remove('{a@2020-01-01T00:00:00Z}', 'a')) AS n_after_remove,
       ('{a@2020-01-01T00:00:00Z}'::likeset + 'b') @> 'b' AS op_added,
       ('{a@2020-01-01T00:00:00Z}'::likeset - 'a') @> 'a' AS op_still_a;
SELECT element, ts >= now() AS not_before_xact, ts <= clock_timestamp() AS not_after_clock,
       removed
FROM likeset_entries(likeset_add('{a@2020-01-01T00:00:00Z}', 'b')) ORDER BY element;
-- a state written by a node whose clock runs ahead (year 2100): an
-- operation made after seeing it still wins, at max ts + 1 microsecond
SELECT likeset_remove('{x@2100-01-01T00:00:00Z}', 'x') @> 'x' AS x_after_remove,
       likeset_add('{-x@2100-01-01T00:00:00Z}', 'x') @> 'x' AS x_after_add,
       ('{x@2100-01-01T00:00:00Z}'::likeset - 'x') @> 'x' AS op_remove,
       ('{-x@2100-01-01T00:00:00Z}'::likeset + 'x') @> 'x' AS op_add,
       (('{x@2100-01-01T00:00:00Z}'::likeset - 'x') + 'x') @> 'x' AS unlike_then_like,
       (('{x@2100-01-01T00:00:00Z}'::likeset + 'x') - 'x') @> 'x' AS like_then_unlike;
SELECT element, ts > '2100-01-01 00:00:00+00' AS after_old_max,
       ts = '2100-01-01 00:00:00.000001+00' AS max_plus_1us, removed
FROM likeset_entries(likeset_add('{-x@2100-01-01T00:00:00Z,y@2050-01-01T00:00:00Z}', 'x'))
ORDER BY element;
-- the highest timestamp may belong to another element
SELECT element, ts > '2100-01-01 00:00:00+00' AS after_old_max,
       ts = '2100-01-01 00:00:00.000001+00' AS max_plus_1us, removed
FROM likeset_entries(likeset_remove('{w@2000-01-01T00:00:00Z,zz@2100-01-01T00:00:00Z}', 'w'))
ORDER BY element;
-- a retried like without a timestamp is still counted once
SELECT likeset_count(likeset_add(likeset_add('{}', 'a'), 'a')) AS n,
       likeset_count(('{}'::likeset + 'a') + 'a' + 'b') AS n2,
       likeset_count(('{}'::likeset + 'a') - 'a' - 'a') AS n3;

--
-- Merge: the later operation per element, and the merge laws on examples
--
SELECT likeset_merge('{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z,c@2026-01-01T00:00:00Z}',
                     '{-a@2026-01-02T00:00:00Z,b@2026-01-01T00:00:00Z,d@2026-01-01T00:00:00Z}') AS m;
WITH v(a, b, c) AS (VALUES (
    '{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z}'::likeset,
    '{-a@2026-01-02T00:00:00Z,b@2026-01-01T00:00:00Z,c@2026-01-03T00:00:00Z}'::likeset,
    '{a@2026-01-03T00:00:00Z,-c@2026-01-03T00:00:00Z,d}'::likeset))
SELECT a | b = b | a AS commutative,
       (a | b) | c = a | (b | c) AS associative,
       a | a = a AND b | b = b AS idempotent,
       (a | b) | b = a | b AS retry_harmless,
       (a | b) | c AS merged
FROM v;

--
-- contains, count, elements, entries
--
SELECT likeset_contains('{a,-b@2026-01-01T00:00:00Z,c}', e) AS fn,
       '{a,-b@2026-01-01T00:00:00Z,c}'::likeset @> e AS op, e
FROM unnest(ARRAY['a', 'b', 'c', 'd', '']) e;
SELECT likeset_count('{a,-b@2026-01-01T00:00:00Z,c}') AS n,
       likeset_count('{-a@2026-01-01T00:00:00Z}') AS n_tomb;
SELECT likeset_elements('{c,-b@2026-01-01T00:00:00Z,a,"x y"}');
SELECT * FROM likeset_entries('{c@2026-01-01T00:00:00.5Z,-b@2026-01-02T03:04:05Z,a,"x y"@2026-01-01T00:00:00+02}');
-- elements are exactly the entries that are not tombstones, in the same order
SELECT likeset_count(s) AS n, (SELECT count(*) FROM likeset_elements(s)) AS n_elements,
       array(SELECT likeset_elements(s)) =
         array(SELECT element FROM likeset_entries(s) WHERE NOT removed) AS same_list
FROM (SELECT likeset_agg('e' || g) AS s FROM generate_series(1, 1000) g) q;
SELECT likeset_count(s) AS n, (SELECT count(*) FROM likeset_elements(s)) AS n_elements,
       array(SELECT likeset_elements(s)) =
         array(SELECT element FROM likeset_entries(s) WHERE NOT removed) AS same_list
FROM (SELECT '{a,-b,c,d,-e,-f,g,h}'::likeset AS s) q;

--
-- Elements compare by bytes, never by collation
--
SELECT likeset_elements('{b,B,a,A}');
SELECT likeset_elements('{z,"é",e,"E"}');
SELECT '{a}'::likeset @> 'A' AS has_upper, '{A}'::likeset @> 'a' AS has_lower,
       likeset_count(likeset_add('{a@2026-01-01T00:00:00Z}', 'A', '2026-01-01 00:00:00+00')) AS n,
       likeset_add('{a@2026-01-01T00:00:00Z}', 'A', '2026-01-01 00:00:00+00') AS s;
-- removing "A" leaves "a" alone
SELECT likeset_remove('{a@2026-01-01T00:00:00Z}', 'A', '2026-01-02 00:00:00+00') AS s,
       likeset_remove('{a@2026-01-01T00:00:00Z}', 'A', '2026-01-02 00:00:00+00') @> 'a' AS has_a;
-- a prefix sorts first
SELECT likeset_elements('{ab,a,abc,b,""}');

--
-- Compaction: only tombstones older than the horizon go
--
SELECT likeset_compact('{keep@2020-01-01T00:00:00Z,-old@2026-01-01T00:00:00Z,-edge@2026-02-01T00:00:00Z,-new@2026-03-01T00:00:00Z,recent@2026-03-01T00:00:00Z}',
                       '2026-02-01 00:00:00+00') AS compacted;
SELECT likeset_count(s) AS n, likeset_count(likeset_compact(s, 'infinity')) AS n_compacted,
       likeset_compact(s, 'infinity') AS all_tombstones_gone,
       likeset_compact(s, '-infinity') = s AS nothing_gone
FROM (VALUES ('{keep@2020-01-01T00:00:00Z,-old@2026-01-01T00:00:00Z,recent@2026-03-01T00:00:00Z}'::likeset)) v(s);
-- a set with no tombstones is unchanged
SELECT likeset_compact('{a@2020-01-01T00:00:00Z,b}', '2030-01-01 00:00:00+00') AS s;
-- compaction records the horizon that protects what it dropped: a late
-- add older than the dropped tombstone does not bring the element back,
-- whether it is merged or applied; a newer one does
SELECT likeset_compact('{-ghost@2026-01-01T00:00:00Z}', '2026-06-01 00:00:00+00')
         | '{ghost@2025-12-01T00:00:00Z}' AS late_merge_stays_out,
       likeset_add(likeset_compact('{-ghost@2026-01-01T00:00:00Z}', '2026-06-01 00:00:00+00'),
                   'ghost', '2025-12-01 00:00:00+00') AS late_add_stays_out,
       likeset_add(likeset_compact('{-ghost@2026-01-01T00:00:00Z}', '2026-06-01 00:00:00+00'),
                   'ghost', '2026-02-01 00:00:00+00') AS newer_add_counts,
       '{-ghost@2026-01-01T00:00:00Z}'::likeset | '{ghost@2025-12-01T00:00:00Z}' AS not_compacted;
-- the horizon is at most the one asked for, and just after the newest tombstone dropped
SELECT likeset_horizon(likeset_compact('{-a@2026-01-01T00:00:00Z,-b@2026-03-01T00:00:00Z,c@2026-05-01T00:00:00Z}',
                                       '2026-02-01 00:00:00+00')) AS h1,
       likeset_horizon(likeset_compact('{-a@2026-01-01T00:00:00Z}', 'infinity')) AS h2,
       likeset_horizon('{a}') IS NULL AS none;
-- an operation without a timestamp on a compacted set never lands below its horizon
SELECT likeset_contains(likeset_add('@2999-01-01T00:00:00Z{}', 'x'), 'x') AS lands;

--
-- = and <> compare whole states: tombstones and timestamps included
--
SELECT '{a@2026-01-01T00:00:00Z}'::likeset = '{a@2026-01-02T00:00:00Z}' AS diff_ts_eq,
       '{a@2026-01-01T00:00:00Z}'::likeset <> '{a@2026-01-02T00:00:00Z}' AS diff_ts_ne,
       '{a}'::likeset = '{a,-b}' AS tomb_eq,
       '{a}'::likeset <> '{a,-b}' AS tomb_ne,
       '{a@2026-01-01T00:00:00Z}'::likeset = '{-a@2026-01-01T00:00:00Z}' AS flag_eq,
       '{b,a}'::likeset = '{a,b}' AS order_of_input_eq,
       '{a@2026-01-01T02:00:00+02}'::likeset = '{a@2026-01-01T00:00:00Z}' AS offset_eq;
-- same present elements, yet different states
SELECT array(SELECT likeset_elements(a)) = array(SELECT likeset_elements(b)) AS same_elements,
       likeset_count(a) = likeset_count(b) AS same_count,
       a = b AS equal
FROM (VALUES ('{a@2026-01-01T00:00:00Z,b@2026-01-01T00:00:00Z}'::likeset,
              '{a@2026-01-01T00:00:00Z,b@2026-01-05T00:00:00Z}'::likeset)) v(a, b);

--
-- <, <=, >, >=, likeset_cmp: a fixed total order (entries by element bytes,
-- then timestamp, then added before removed; a prefix first)
--
CREATE TEMP TABLE cmpv (k int, s likeset);
INSERT INTO cmpv VALUES
    (1, '{}'),
    (2, '{a}'),
    (3, '{a@2026-01-01T00:00:00Z}'),
    (4, '{a@2026-01-01T00:00:00Z,b@2026-01-01T00:00:00Z}'),
    (5, '{-a@2026-01-01T00:00:00Z}'),
    (6, '{a@2026-01-02T00:00:00Z}'),
    (7, '{b}'),
    (8, '{"é"}');
SELECT k, s FROM cmpv ORDER BY s;
SELECT x.k AS a, y.k AS b, likeset_cmp(x.s, y.s) AS cmp,
       x.s < y.s AS lt, x.s <= y.s AS le, x.s = y.s AS eq,
       x.s <> y.s AS ne, x.s >= y.s AS ge, x.s > y.s AS gt
FROM cmpv x, cmpv y
WHERE x.k IN (1, 3, 5) AND y.k IN (1, 3, 5)
ORDER BY 1, 2;
-- all 64 pairs: the operators agree with likeset_cmp, cmp is antisymmetric,
-- and cmp follows k (the rows were inserted in ascending order)
SELECT count(*) AS pairs,
       bool_and((x.s < y.s) = (likeset_cmp(x.s, y.s) < 0)
            AND (x.s <= y.s) = (likeset_cmp(x.s, y.s) <= 0)
            AND (x.s = y.s) = (likeset_cmp(x.s, y.s) = 0)
            AND (x.s <> y.s) = (likeset_cmp(x.s, y.s) <> 0)
            AND (x.s >= y.s) = (likeset_cmp(x.s, y.s) >= 0)
            AND (x.s > y.s) = (likeset_cmp(x.s, y.s) > 0)) AS ops_agree,
       bool_and(likeset_cmp(x.s, y.s) = -likeset_cmp(y.s, x.s)) AS antisymmetric,
       bool_and(likeset_cmp(x.s, y.s) = sign(x.k - y.k)) AS follows_k
FROM cmpv x, cmpv y;

--
-- The empty set in every function
--
SELECT likeset_add('{}', 'a', '2026-01-01 00:00:00+00') AS add,
       likeset_remove('{}', 'a', '2026-01-01 00:00:00+00') AS remove,
       likeset_merge('{}', '{}') AS merge_empty,
       '{}'::likeset | '{a}' AS empty_or_a,
       '{a}'::likeset | '{}' AS a_or_empty,
       likeset_compact('{}', 'infinity') AS compact;
SELECT likeset_contains('{}', 'a') AS contains, '{}'::likeset @> '' AS op_contains,
       likeset_count('{}') AS count,
       '{}'::likeset = '{}' AS eq, '{}'::likeset <> '{}' AS ne,
       '{}'::likeset < '{}' AS lt, '{}'::likeset <= '{}' AS le,
       '{}'::likeset > '{}' AS gt, '{}'::likeset >= '{}' AS ge,
       likeset_cmp('{}', '{}') AS cmp, likeset_cmp('{}', '{""}') AS cmp_vs_empty_string,
       '{}'::likeset = '{-a}' AS eq_tomb;
SELECT count(*) AS n_elements FROM likeset_elements('{}');
SELECT count(*) AS n_entries FROM likeset_entries('{}');
SELECT count(*) AS n_elements_of_tombs FROM likeset_elements('{-a,-b}');
SELECT likeset_count('{}'::likeset + 'a') AS add_now,
       likeset_count('{}'::likeset - 'a') AS remove_now,
       ('{}'::likeset - 'a') @> 'a' AS removed_has_a,
       likeset_add('{}', '') @> '' AS empty_string_elem;

--
-- NULL in, NULL out (every function is STRICT)
--
SELECT likeset_add(NULL, 'a', '2026-01-01 00:00:00+00') IS NULL AS add,
       likeset_add('{}', NULL, '2026-01-01 00:00:00+00') IS NULL AS add_elem,
       likeset_add('{}', 'a', NULL) IS NULL AS add_ts,
       likeset_add('{}', NULL) IS NULL AS add_now,
       likeset_remove('{}', 'a', NULL) IS NULL AS remove_ts,
       likeset_merge('{a}', NULL) IS NULL AS merge,
       likeset_contains(NULL, 'a') IS NULL AS contains,
       likeset_count(NULL) IS NULL AS count,
       likeset_compact('{-a}', NULL) IS NULL AS compact,
       likeset_cmp(NULL, '{}') IS NULL AS cmp,
       ('{}'::likeset = NULL) IS NULL AS eq;

--
-- Operator classes: DISTINCT, GROUP BY, UNION, ORDER BY, indexes, joins
--
CREATE TABLE ls_pages (id int PRIMARY KEY, s likeset);
INSERT INTO ls_pages VALUES
    (1, '{}'),
    (2, '{ann@2026-01-01T00:00:00Z}'),
    (3, '{ann@2026-01-01T00:00:00Z}'),
    (4, '{ann@2026-01-02T00:00:00Z}'),
    (5, '{-ann@2026-01-01T00:00:00Z}'),
    (6, '{ann@2026-01-01T00:00:00Z,bob@2026-01-01T00:00:00Z}'),
    (7, '{bob@2026-01-01T00:00:00Z}'),
    (8, '{}'),
    (9, NULL),
    (10, '{bob@2026-01-01T00:00:00Z,ann@2026-01-01T00:00:00Z}'),
    (11, '{Ann@2026-01-01T00:00:00Z}');
-- ORDER BY a likeset column: the total order above, NULL last
SELECT id, s FROM ls_pages ORDER BY s, id;
SELECT id, s FROM ls_pages ORDER BY s DESC, id;
-- DISTINCT and GROUP BY, by sorting and by hashing
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT DISTINCT s FROM ls_pages;
SELECT DISTINCT s FROM ls_pages ORDER BY s;
SELECT s, count(*), array_agg(id ORDER BY id) AS ids FROM ls_pages GROUP BY s ORDER BY s;
RESET enable_hashagg;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT s, count(*) FROM ls_pages GROUP BY s;
SELECT count(*) AS n_groups, sum(c) AS n_rows, max(c) AS largest
FROM (SELECT s, count(*) AS c FROM ls_pages GROUP BY s) g;
SELECT array_agg(ids::text ORDER BY ids) AS groups
FROM (SELECT array_agg(id ORDER BY id) AS ids FROM ls_pages GROUP BY s) g;
SELECT count(*) AS n_distinct FROM (SELECT DISTINCT s FROM ls_pages) d;
RESET enable_sort;
-- UNION removes duplicate states; UNION ALL keeps them
SELECT s FROM ls_pages WHERE id <= 4 UNION SELECT s FROM ls_pages WHERE id BETWEEN 3 AND 6
ORDER BY s;
SELECT count(*) FROM (SELECT s FROM ls_pages WHERE id <= 4 UNION ALL
                      SELECT s FROM ls_pages WHERE id BETWEEN 3 AND 6) u;
SELECT '{a@2026-01-01T00:00:00Z}'::likeset AS s UNION SELECT '{a@2026-01-01T01:00:00+01}'
UNION SELECT '{a@2026-01-01T00:00:00.000001Z}' ORDER BY s;
-- two equal large states (stored out of line, in the TOAST table)
INSERT INTO ls_pages
SELECT 100 + i, likeset_agg('user' || g, '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 second')
FROM generate_series(1, 2) i, generate_series(1, 5000) g GROUP BY i;
SELECT id, likeset_count(s) AS n FROM ls_pages WHERE id > 100 ORDER BY id;
SELECT pg_relation_size(reltoastrelid) > 0 AS toasted FROM pg_class WHERE oid = 'ls_pages'::regclass;
SELECT a.id, b.id FROM ls_pages a, ls_pages b
WHERE a.id > 100 AND b.id > 100 AND a.s = b.s ORDER BY 1, 2;
-- hash index
CREATE INDEX ls_pages_s_hash ON ls_pages USING hash (s);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ls_pages WHERE s = '{ann@2026-01-01T00:00:00Z}';
SELECT id FROM ls_pages WHERE s = '{ann@2026-01-01T00:00:00Z}' ORDER BY id;
SELECT id FROM ls_pages WHERE s = '{}' ORDER BY id;
SELECT id FROM ls_pages WHERE s = '{Ann@2026-01-01T00:00:00Z}' ORDER BY id;
SELECT id FROM ls_pages WHERE s = '{ann}' ORDER BY id;
SELECT id FROM ls_pages
WHERE s = (SELECT likeset_agg('user' || g, '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 second')
           FROM generate_series(1, 5000) g)
ORDER BY id;
RESET enable_seqscan;
SELECT id FROM ls_pages WHERE s = '{ann@2026-01-01T00:00:00Z}' ORDER BY id;
SELECT id FROM ls_pages WHERE s = '{}' ORDER BY id;
SELECT id FROM ls_pages
WHERE s = (SELECT likeset_agg('user' || g, '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 second')
           FROM generate_series(1, 5000) g)
ORDER BY id;
DROP INDEX ls_pages_s_hash;
-- btree index (small states only: a B-tree entry must fit in a page)
CREATE TABLE ls_small AS SELECT id, s FROM ls_pages WHERE id < 100;
CREATE INDEX ls_small_s_btree ON ls_small USING btree (s);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ls_small WHERE s = '{ann@2026-01-01T00:00:00Z}';
SELECT id FROM ls_small WHERE s = '{ann@2026-01-01T00:00:00Z}' ORDER BY id;
EXPLAIN (COSTS OFF) SELECT id, s FROM ls_small WHERE s < '{ann@2026-01-02T00:00:00Z}' ORDER BY s;
SELECT id, s FROM ls_small WHERE s < '{ann@2026-01-02T00:00:00Z}' ORDER BY s, id;
SELECT id, s FROM ls_small WHERE s >= '{-ann@2026-01-01T00:00:00Z}' ORDER BY s, id;
SELECT id FROM ls_small WHERE s <= '{}' ORDER BY id;
SELECT id FROM ls_small WHERE s > '{bob@2026-01-01T00:00:00Z}' ORDER BY id;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT id, s FROM ls_small WHERE s < '{ann@2026-01-02T00:00:00Z}' ORDER BY s, id;
SELECT id, s FROM ls_small WHERE s >= '{-ann@2026-01-01T00:00:00Z}' ORDER BY s, id;
SELECT id FROM ls_small WHERE s <= '{}' ORDER BY id;
SELECT id FROM ls_small WHERE s > '{bob@2026-01-01T00:00:00Z}' ORDER BY id;
-- a unique index sees timestamps and tombstones
CREATE TABLE ls_unique (s likeset UNIQUE);
INSERT INTO ls_unique VALUES ('{a@2026-01-01T00:00:00Z}'), ('{a@2026-01-02T00:00:00Z}'),
    ('{-a@2026-01-01T00:00:00Z}'), ('{a@2026-01-01T00:00:00Z,-b@2026-01-01T00:00:00Z}');
INSERT INTO ls_unique VALUES ('{a@2026-01-01T01:00:00+01}');
SELECT count(*) FROM ls_unique;
DROP TABLE ls_unique;
-- hash join and merge join on likeset equality, with the large states
CREATE TABLE ls_other (oid int, s likeset);
INSERT INTO ls_other SELECT id + 1000, s FROM ls_pages;
INSERT INTO ls_other VALUES (2000, '{ann@2026-01-01T00:00:00.000001Z}'), (2001, '{ann}');
ANALYZE ls_pages;
ANALYZE ls_other;
SET enable_nestloop = off;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF)
SELECT p.id, o.oid FROM ls_pages p JOIN ls_other o ON p.s = o.s ORDER BY 1, 2;
SELECT p.id, o.oid FROM ls_pages p JOIN ls_other o ON p.s = o.s ORDER BY 1, 2;
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF)
SELECT p.id, o.oid FROM ls_pages p JOIN ls_other o ON p.s = o.s ORDER BY 1, 2;
SELECT p.id, o.oid FROM ls_pages p JOIN ls_other o ON p.s = o.s ORDER BY 1, 2;
RESET enable_hashjoin;
RESET enable_nestloop;
-- REPLICA IDENTITY FULL needs an equality operator: accepted
ALTER TABLE ls_pages REPLICA IDENTITY FULL;
SELECT relreplident FROM pg_class WHERE oid = 'ls_pages'::regclass;
DROP TABLE ls_pages, ls_small, ls_other;

--
-- Catalog labels of every function of the extension: operations without a
-- timestamp read the clock (volatile); everything else is immutable; all
-- are parallel safe; all are strict except the aggregate support functions
-- that must see a NULL state
--
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.prokind,
       p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid
WHERE e.extname = 'likeset'
ORDER BY p.proname, args;
