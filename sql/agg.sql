--
-- agg: the aggregates likeset_merge_agg(likeset), likeset_agg(text) and
-- likeset_agg(text, timestamptz): basic results, NULLs, no rows, GROUP BY,
-- agreement with a fold of | and with a reference built another way, many
-- small and a few large states, parallel aggregation, window use.
--
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- Reference helpers that do not use the aggregates under test:
-- a fold of likeset_merge (a strict transition function: the first non-NULL
-- state starts the fold, no rows or only NULLs give NULL) ...
CREATE AGGREGATE ls_fold(likeset) (SFUNC = likeset_merge, STYPE = likeset);
-- ... one operation as an item of the text form ...
CREATE FUNCTION ls_item(e text, ts timestamptz, removed boolean) RETURNS text
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT CASE WHEN removed THEN '-' ELSE '' END || e || '@'
                 || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;
-- ... and one operation applied with the scalar functions
CREATE FUNCTION ls_apply(s likeset, e text, ts timestamptz, removed boolean) RETURNS likeset
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT CASE WHEN removed THEN likeset_remove(s, e, ts) ELSE likeset_add(s, e, ts) END $$;
SELECT ls_item('a', '2026-01-01 00:00:00.5+00', true) AS item,
       ls_apply('{}', 'a', '2026-01-01 00:00:00.5+00', true) AS applied;

--
-- likeset_agg(text): elements present at the lowest timestamp, NULLs skipped
--
SELECT likeset_agg(e) FROM (VALUES ('b'), ('a'), (NULL), ('b'), ('a b'), ('')) v(e);
SELECT likeset_agg(e) = '{a,b}' AS same_as_literal
FROM (VALUES ('b'), ('a'), (NULL), ('b')) v(e);
SELECT likeset_agg(e) IS NULL AS only_nulls FROM (VALUES (NULL::text), (NULL)) v(e);
SELECT likeset_agg(e) IS NULL AS no_rows FROM (VALUES ('a')) v(e) WHERE false;

--
-- likeset_agg(text, timestamptz): each element at its latest timestamp
--
SELECT likeset_agg(e, ts)
FROM (VALUES ('a', '2026-01-01 10:00:00+00'::timestamptz),
             ('a', '2026-01-01 12:00:00+00'),
             ('a', '2026-01-01 11:00:00+00'),
             ('b', '2026-01-01 09:00:00+00'),
             ('b', '2026-01-01 09:00:00+00'),
             (NULL, '2026-01-01 13:00:00+00'),
             ('c', NULL)) v(e, ts);
-- the latest wins whatever the row order
SELECT likeset_agg(e, ts ORDER BY ts) = likeset_agg(e, ts ORDER BY ts DESC) AS order_free,
       likeset_agg(e, ts ORDER BY ts DESC)
FROM (VALUES ('a', '2026-01-01 10:00:00+00'::timestamptz), ('a', '2026-01-01 12:00:00.25+00'),
             ('a', '2026-01-01 11:00:00+00')) v(e, ts);
SELECT likeset_agg(e, ts) IS NULL AS only_nulls
FROM (VALUES (NULL::text, '2026-01-01 10:00:00+00'::timestamptz), ('a', NULL)) v(e, ts);
SELECT likeset_agg(e, ts) IS NULL AS no_rows
FROM (VALUES ('a', '2026-01-01 10:00:00+00'::timestamptz)) v(e, ts) WHERE false;

--
-- likeset_merge_agg(likeset): the join of all states
--
SELECT likeset_merge_agg(s)
FROM (VALUES ('{a@2026-01-01T10:00:00Z,b@2026-01-01T10:00:00Z}'::likeset),
             ('{-a@2026-01-01T11:00:00Z}'),
             (NULL),
             ('{b@2026-01-01T09:00:00Z,c@2026-01-01T10:00:00Z}'),
             ('{-c@2026-01-01T10:00:00Z}'),
             ('{}')) v(s);
-- tombstones stay; states of tombstones only give tombstones
SELECT likeset_merge_agg(s)
FROM (VALUES ('{-a@2026-01-01T10:00:00Z}'::likeset), ('{-b@2026-01-01T10:00:00Z}'),
             ('{-a@2026-01-01T09:00:00Z}')) v(s);
SELECT likeset_merge_agg(s) IS NULL AS only_nulls FROM (VALUES (NULL::likeset), (NULL)) v(s);
SELECT likeset_merge_agg(s) IS NULL AS no_rows FROM (VALUES ('{a}'::likeset)) v(s) WHERE false;
-- rows that hold the empty set are rows: their join is the empty set
SELECT likeset_merge_agg(s) AS merged, ls_fold(s) AS folded
FROM (VALUES ('{}'::likeset)) v(s);
SELECT likeset_merge_agg(s) AS merged, ls_fold(s) AS folded
FROM (VALUES ('{}'::likeset), (NULL), ('{}')) v(s);

--
-- GROUP BY page: likes as rows, and replicas' states of each page
--
CREATE TABLE likes (page int, usr text, ts timestamptz);
INSERT INTO likes VALUES
    (1, 'ann', '2026-01-01 10:00:00+00'),
    (1, 'bob', '2026-01-01 10:01:00+00'),
    (1, 'ann', '2026-01-01 10:02:00+00'),
    (1, 'ann', '2026-01-01 09:00:00+00'),
    (2, 'cid', '2026-01-01 10:00:00+00'),
    (2, NULL,  '2026-01-01 10:00:00+00'),
    (2, 'Cid', '2026-01-01 08:00:00+00'),
    (3, NULL,  NULL);
SELECT page, likeset_agg(usr, ts) AS s, likeset_agg(usr) AS bare,
       likeset_count(likeset_agg(usr, ts)) AS n
FROM likes GROUP BY page ORDER BY page;
CREATE TABLE replica_states (node text, page int, s likeset);
INSERT INTO replica_states VALUES
    ('A', 1, '{ann@2026-01-01T10:00:00Z,bob@2026-01-01T10:01:00Z}'),
    ('B', 1, '{-ann@2026-01-01T10:05:00Z,bob@2026-01-01T10:01:00Z}'),
    ('C', 1, '{ann@2026-01-01T10:00:00Z,cid@2026-01-01T10:03:00Z}'),
    ('A', 2, '{dan@2026-01-01T10:00:00Z}'),
    ('B', 2, '{-dan@2026-01-01T10:00:00Z}'),
    ('C', 2, NULL),
    ('A', 3, NULL);
SELECT page, likeset_merge_agg(s) AS converged, likeset_count(likeset_merge_agg(s)) AS n,
       likeset_merge_agg(s) IS NOT DISTINCT FROM ls_fold(s) AS same_as_fold,
       likeset_merge_agg(s ORDER BY node DESC) IS NOT DISTINCT FROM likeset_merge_agg(s) AS order_free
FROM replica_states GROUP BY page ORDER BY page;
-- likeset_agg(e, ts) is the join of one-element states
SELECT page, likeset_agg(usr, ts) = likeset_merge_agg(likeset_add('{}', usr, ts)) AS same
FROM likes WHERE usr IS NOT NULL GROUP BY page ORDER BY page;

--
-- The same aggregate twice in one query (one shared state, finalized twice)
--
SELECT likeset_merge_agg(s) AS m1, likeset_merge_agg(s) AS m2,
       likeset_merge_agg(s) = likeset_merge_agg(s) AS same,
       likeset_count(likeset_merge_agg(s)) AS n
FROM replica_states WHERE page = 1;
SELECT page, likeset_merge_agg(s) = likeset_merge_agg(s) AS same,
       likeset_merge_agg(s) FILTER (WHERE node <> 'B') AS without_b,
       likeset_merge_agg(s) AS m
FROM replica_states WHERE page = 1 GROUP BY page;
SELECT likeset_agg(usr) AS bare, likeset_agg(usr, ts) AS timed, likeset_agg(usr, ts) AS timed_again
FROM likes WHERE page = 2;

--
-- As a window function: a running merge
--
CREATE TABLE history (i int, s likeset);
INSERT INTO history VALUES
    (1, '{ann@2026-01-01T10:00:00Z}'),
    (2, '{bob@2026-01-01T10:01:00Z}'),
    (3, '{-ann@2026-01-01T10:02:00Z}'),
    (4, NULL),
    (5, '{ann@2026-01-01T09:00:00Z}'),
    (6, '{ann@2026-01-01T10:03:00Z,-bob@2026-01-01T10:03:00Z}'),
    (7, '{}');
SELECT i, likeset_merge_agg(s) OVER (ORDER BY i) AS running,
       likeset_count(likeset_merge_agg(s) OVER (ORDER BY i)) AS n
FROM history ORDER BY i;
SELECT i, likeset_merge_agg(s) OVER w IS NOT DISTINCT FROM ls_fold(s) OVER w AS running_ok,
       likeset_merge_agg(s) OVER m IS NOT DISTINCT FROM ls_fold(s) OVER m AS moving_ok,
       likeset_merge_agg(s) OVER m AS last_two
FROM history
WINDOW w AS (ORDER BY i), m AS (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
ORDER BY i;
-- per partition, the whole partition as frame
SELECT DISTINCT page, likeset_merge_agg(s) OVER (PARTITION BY page) AS per_page
FROM replica_states ORDER BY page;

--
-- Many small states: 20,200 states of one or two operations (tombstones and
-- equal-timestamp ties included), against a reference built from the
-- operations with DISTINCT ON (latest timestamp, remove first on a tie)
--
CREATE TABLE small_ops AS
SELECT i, j, 'u' || ((i * 37 + j * 11) % 3001) AS e,
       '2026-01-01 00:00:00+00'::timestamptz
         + ((i * 7919 + j * 104729) % 1000) * interval '1 second' AS ts,
       (i + j) % 4 = 0 AS removed
FROM generate_series(1, 20000) i, generate_series(1, 2) j
WHERE j = 1 OR i % 2 = 0;
-- 100 elements end with an add and a remove at the same (latest) timestamp,
-- in different states
INSERT INTO small_ops
SELECT 20000 + k, 1, 'u' || k, '2026-01-02 00:00:00+00'::timestamptz, false FROM generate_series(1, 100) k
UNION ALL
SELECT 20100 + k, 1, 'u' || k, '2026-01-02 00:00:00+00'::timestamptz, true FROM generate_series(1, 100) k;
CREATE TABLE small_states AS
SELECT o1.i, CASE WHEN o2.i IS NULL THEN ls_apply('{}', o1.e, o1.ts, o1.removed)
                  ELSE ls_apply(ls_apply('{}', o1.e, o1.ts, o1.removed), o2.e, o2.ts, o2.removed)
             END AS s
FROM small_ops o1 LEFT JOIN small_ops o2 ON o2.i = o1.i AND o2.j = 2
WHERE o1.j = 1;
CREATE TABLE small_ref AS
SELECT ('{' || string_agg(ls_item(e, ts, removed), ',') || '}')::likeset AS ref,
       count(*) AS entries, count(*) FILTER (WHERE NOT removed) AS present
FROM (SELECT DISTINCT ON (e) e, ts, removed FROM small_ops
      ORDER BY e, ts DESC, removed DESC) last;
SELECT count(*) AS ops, count(DISTINCT e) AS elements,
       count(*) FILTER (WHERE removed) AS removes FROM small_ops;
SELECT count(*) AS ties_at_latest_ts
FROM (SELECT e, ts FROM small_ops GROUP BY e, ts HAVING bool_or(removed) AND NOT bool_and(removed)) t
JOIN (SELECT e, max(ts) AS ts FROM small_ops GROUP BY e) latest USING (e, ts);
SELECT count(*) AS states, sum(likeset_count(s)) AS present_in_states FROM small_states;
SELECT r.entries, r.present, likeset_count(m.s) AS merged_present,
       (SELECT count(*) FROM likeset_entries(m.s)) AS merged_entries,
       m.s = r.ref AS equals_reference,
       (SELECT likeset_merge_agg(s ORDER BY i DESC) FROM small_states) = r.ref AS reverse_order,
       (SELECT ls_fold(s) FROM small_states) = r.ref AS fold_equals_reference,
       (SELECT count(*) FROM generate_series(1, 100) k WHERE m.s @> ('u' || k)) AS tied_present
FROM small_ref r, (SELECT likeset_merge_agg(s) AS s FROM small_states) m;
-- likeset_agg(e, ts) over the add operations, against the same kind of reference
SELECT likeset_agg(e, ts) =
         (SELECT ('{' || string_agg(ls_item(e, ts, false), ',') || '}')::likeset
          FROM (SELECT DISTINCT ON (e) e, ts FROM small_ops WHERE NOT removed
                ORDER BY e, ts DESC) last) AS equals_reference,
       likeset_agg(e, ts) = likeset_merge_agg(likeset_add('{}', e, ts)) AS equals_merge_agg,
       likeset_count(likeset_agg(e, ts)) AS n
FROM small_ops WHERE NOT removed;
SELECT likeset_agg(e) = (SELECT ('{' || string_agg(DISTINCT e, ',') || '}')::likeset FROM small_ops)
         AS equals_reference,
       likeset_count(likeset_agg(e)) AS n
FROM small_ops;

--
-- A few large states: 5 states of 20,000 entries each, overlapping
--
CREATE TABLE large_ops AS
SELECT k, 'u' || g AS e,
       '2026-01-01 00:00:00+00'::timestamptz + ((g * (k + 3) * 31) % 100000) * interval '1 second'
         + (k % 2) * interval '0.5 second' AS ts,
       (g + k) % 5 = 0 AS removed
FROM generate_series(1, 5) k, generate_series(k * 2000, k * 2000 + 19999) g;
CREATE TABLE large_states AS
SELECT k, ('{' || string_agg(ls_item(e, ts, removed), ',') || '}')::likeset AS s
FROM large_ops GROUP BY k;
SELECT k, likeset_count(s) AS present, (SELECT count(*) FROM likeset_entries(s)) AS entries
FROM large_states ORDER BY k;
SELECT (SELECT count(*) FROM likeset_entries(m)) AS merged_entries,
       likeset_count(m) AS merged_present,
       m = (SELECT ('{' || string_agg(ls_item(e, ts, removed), ',') || '}')::likeset
            FROM (SELECT DISTINCT ON (e) e, ts, removed FROM large_ops
                  ORDER BY e, ts DESC, removed DESC) last) AS equals_reference,
       m = (SELECT ls_fold(s) FROM large_states) AS equals_fold,
       m = (SELECT likeset_merge_agg(s ORDER BY k DESC) FROM large_states) AS reverse_order,
       m = (SELECT likeset_merge_agg(s) FROM (SELECT s FROM large_states
                                               UNION ALL SELECT s FROM large_states) d)
         AS duplicates_harmless
FROM (SELECT likeset_merge_agg(s) AS m FROM large_states) q;
-- large and small states together: the join of the two separate results
SELECT likeset_merge_agg(s) = (SELECT likeset_merge_agg(s) FROM large_states)
                              | (SELECT likeset_merge_agg(s) FROM small_states) AS equals_join,
       likeset_count(likeset_merge_agg(s)) AS n
FROM (SELECT s FROM large_states UNION ALL SELECT s FROM small_states) u;

--
-- Many operations on few elements: more rows than likeset_agg buffers at once
--
SELECT likeset_count(a) AS n,
       a = (SELECT ('{' || string_agg(ls_item(e, ts, false), ',') || '}')::likeset
            FROM (SELECT 'e' || (g % 1000) AS e,
                         max('2026-01-01 00:00:00+00'::timestamptz
                             + ((g::bigint * 7919) % 1100000) * interval '1 ms') AS ts
                  FROM generate_series(1, 1100000) g GROUP BY 1) last) AS equals_reference
FROM (SELECT likeset_agg('e' || (g % 1000),
                         '2026-01-01 00:00:00+00'::timestamptz + ((g::bigint * 7919) % 1100000) * interval '1 ms') AS a
      FROM generate_series(1, 1100000) g) q;

--
-- Parallel aggregation: partial states serialized in workers, combined in
-- the leader; the result equals the serial one
--
CREATE TABLE par AS
SELECT i, i % 12 AS page, 'u' || (i * 7 % 5003) AS e,
       '2026-01-01 00:00:00+00'::timestamptz + (i * 7919 % 100000) * interval '1 second' AS ts,
       CASE WHEN i % 12 = 11 THEN NULL          -- page 11: only NULL states
            WHEN i % 12 = 10 THEN '{}'::likeset -- page 10: only empty states
            ELSE ls_apply('{}', 'u' || (i * 7 % 5003),
                          '2026-01-01 00:00:00+00'::timestamptz + (i * 7919 % 100000) * interval '1 second',
                          i % 7 = 0)
       END AS s
FROM generate_series(1, 200000) i;
VACUUM ANALYZE par;
-- serial results
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT likeset_merge_agg(s), likeset_agg(e, ts), likeset_agg(e) FROM par;
CREATE TEMP TABLE par_serial AS
SELECT likeset_merge_agg(s) AS m, likeset_agg(e, ts) AS a, likeset_agg(e) AS b FROM par;
CREATE TEMP TABLE par_serial_pages AS
SELECT page, likeset_merge_agg(s) AS m, likeset_agg(e, ts) AS a FROM par GROUP BY page;
-- parallel results
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT likeset_merge_agg(s) FROM par;
EXPLAIN (COSTS OFF) SELECT likeset_agg(e, ts) FROM par;
EXPLAIN (COSTS OFF) SELECT likeset_agg(e) FROM par;
-- workers really run (and serialize their partial states)
CREATE FUNCTION workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || q INTO plan;
    RETURN jsonb_path_query_first(plan, 'strict $.**."Workers Launched"')::int;
END $$;
SELECT workers_launched('SELECT likeset_merge_agg(s) FROM par') > 0 AS merge_agg_parallel,
       workers_launched('SELECT likeset_agg(e, ts) FROM par') > 0 AS agg_parallel;
CREATE TEMP TABLE par_parallel AS
SELECT likeset_merge_agg(s) AS m, likeset_agg(e, ts) AS a, likeset_agg(e) AS b FROM par;
SELECT p.m = s.m AS merge_agg_equal, p.a = s.a AS agg_ts_equal, p.b = s.b AS agg_equal,
       likeset_count(p.m) AS n_m, likeset_count(p.a) AS n_a, likeset_count(p.b) AS n_b,
       s.m = (SELECT ('{' || string_agg(ls_item(e, ts, removed), ',') || '}')::likeset
              FROM (SELECT DISTINCT ON (e) e, ts, i % 7 = 0 AS removed FROM par
                    WHERE i % 12 < 10 ORDER BY e, ts DESC, removed DESC) last) AS equals_reference
FROM par_parallel p, par_serial s;
-- GROUP BY with partial aggregation per group
EXPLAIN (COSTS OFF)
SELECT page, likeset_merge_agg(s), likeset_agg(e, ts) FROM par GROUP BY page;
CREATE TEMP TABLE par_parallel_pages AS
SELECT page, likeset_merge_agg(s) AS m, likeset_agg(e, ts) AS a FROM par GROUP BY page;
SELECT count(*) AS pages,
       bool_and(p.m IS NOT DISTINCT FROM s.m) AS merge_agg_equal,
       bool_and(p.a IS NOT DISTINCT FROM s.a) AS agg_ts_equal,
       sum(likeset_count(p.m)) AS sum_present_m
FROM par_parallel_pages p JOIN par_serial_pages s USING (page);
SELECT page, likeset_count(m) AS present_m, m IS NULL AS m_null, m = '{}' AS m_empty,
       likeset_count(a) AS present_a
FROM par_parallel_pages ORDER BY page;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;

DROP TABLE likes, replica_states, history, small_ops, small_states, small_ref,
    large_ops, large_states, par;
DROP FUNCTION workers_launched(text), ls_item(text, timestamptz, boolean),
    ls_apply(likeset, text, timestamptz, boolean);
DROP AGGREGATE ls_fold(likeset);
