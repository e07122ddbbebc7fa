-- bench/large/report.sql: large.md from the table large_results (large.csv),
-- run by bench/large.sh with psql -At and the variables it sets.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- a number with three significant digits (whole numbers from 100 up), '–' for none
CREATE FUNCTION pg_temp.fmt(v float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN v IS NULL OR v = 'NaN' THEN '–'
		WHEN v = 0 THEN '0'
		WHEN abs(v) >= 100 THEN to_char(round(v::numeric), 'FM999,999,999,999')
		ELSE round(v::numeric, greatest(0, 2 - floor(log(abs(v::numeric))))::int)::text
	END
$$;

-- a whole number, '–' for none
CREATE FUNCTION pg_temp.fmt_int(v float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL OR v = 'NaN' THEN '–' ELSE to_char(round(v::numeric), 'FM999,999,999,999') END
$$;

-- a ratio with two decimals, '–' for none
CREATE FUNCTION pg_temp.fmt_ratio(v float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN v IS NULL OR v = 'NaN' THEN '–'
		ELSE to_char(round(v::numeric, 2), 'FM999,999,990.00') || '×'
	END
$$;

-- one figure
CREATE FUNCTION pg_temp.val(w text, sz int, a text, m text) RETURNS float8 LANGUAGE sql STABLE AS $$
	SELECT value FROM large_results WHERE workload = w AND size = sz AND approach = a AND metric = m
$$;

CREATE FUNCTION pg_temp.ratio(a float8, b float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN a IS NULL OR b IS NULL OR b = 0 OR a = 'NaN' OR b = 'NaN' THEN NULL ELSE a / b END
$$;

CREATE TEMP TABLE sizes AS SELECT DISTINCT size FROM large_results;
CREATE TEMP TABLE approaches (ord int, approach text, label text);
INSERT INTO approaches VALUES (1, 'log', 'log layout'), (2, 'value', 'value layout'), (3, 'normalized', 'normalized');

-- the targets: the log layout's like at 1,000,000 against 100, and its count at rest
CREATE TEMP TABLE targets (ord int, label text, measured text, goal text, ok boolean);
INSERT INTO targets
	SELECT ord, label, pg_temp.fmt_ratio(x) || ' (' || pg_temp.fmt(hi) || ' ÷ ' || pg_temp.fmt(lo) || ' ' || unit || ')',
		   '≤ 2×', x <= 2
	FROM (SELECT ord, label, unit, hi, lo, pg_temp.ratio(hi, lo) AS x
		  FROM (VALUES
			(1, 'like alone, time (median)', 'large_like', 'p50_latency', 'ms'),
			(2, 'like alone, WAL', 'large_like', 'wal_bytes_per_like', 'B'),
			(3, 'like alone, bytes decoded for a replica', 'large_like', 'decoded_bytes_per_like', 'B'),
			(4, 'like + its share of folding, time', 'large_like_fold', 'time_per_like', 'ms'),
			(5, 'like + its share of folding, WAL', 'large_like_fold', 'wal_bytes_per_like', 'B'),
			(6, 'like + its share of folding, bytes decoded for a replica', 'large_like_fold', 'decoded_bytes_per_like', 'B')
		  ) t(ord, label, w, m, unit),
		  LATERAL (SELECT pg_temp.val(w, 1000000, 'log', m) AS hi, pg_temp.val(w, 100, 'log', m) AS lo) v) s
	UNION ALL
	SELECT 7, 'count of the 1,000,000-like page at rest (median)', pg_temp.fmt(x) || ' ms',
		   'well under 1 ms (≤ 0.5 ms)', x <= 0.5
	FROM (SELECT pg_temp.val('large_count', 1000000, 'log', 'p50_latency') AS x) t;

WITH head(sub, line) AS (VALUES
	(1, '# Large sets: log layout, value layout, normalized table'),
	(2, ''),
	(3, 'Made by `sh bench/large.sh` (run last by `make bench`) on ' || :'rundate'
		|| ', in ' || :'elapsed' || ' s: PostgreSQL ' || :'pgversion' || ', ' || :'cpu' || '.'),
	(4, ''),
	(5, '- Server: initdb `-E UTF8 --locale=C`; ' || :'settings' || '.'),
	(6, '- One page per set size, its users `user1` … `user<size>`; a like adds a new user.'
		|| ' **log**: `likeset_create_log(''page_likes'', ''bigint'', part_max => ' || :'part_max' || ')`, filled by inserting the'
		|| ' rows and one `likeset_fold`, like = `likeset_like(tbl, page, user)`;'
		|| ' **value**: `pages(id bigint primary key, likes likeset)`, filled by `likeset_agg`,'
		|| ' like = `UPDATE pages SET likes = likeset_add(likes, user) WHERE id = page`;'
		|| ' **normalized**: `norm_likes(page, user_id, ts, removed, primary key (page, user_id))`,'
		|| ' like = upsert `ON CONFLICT … WHERE l.ts < excluded.ts`. Statements: `bench/large/*.pgbench`.'),
	(7, '- Likes: one client, pgbench `-M prepared`, `synchronous_commit=off`, in rounds after a warm-up;'
		|| ' log layout and normalized: ' || (SELECT pg_temp.fmt(value) FROM large_results WHERE workload = 'large_like'
			AND approach = 'log' AND metric = 'likes' ORDER BY size LIMIT 1)
		|| ' likes per size in rounds of ' || :'batch' || '; value layout: fewer where a like rewrites a large set'
		|| ' (column *likes timed*). A small page is put back to its size before each round, so it grows by'
		|| ' at most one round (100 → 200 at 100). Time: median of every like;'
		|| ' WAL: `pg_current_wal_insert_lsn()` difference ÷ likes, with autovacuum off and no checkpoint during'
		|| ' the run (checkpoints that happened: ' || :'checkpoints' || '), so no full-page images;'
		|| ' decoded: bytes of `pg_logical_slot_get_binary_changes` on a **pgoutput** slot'
		|| ' (protocol 1, text format, as a default subscription) for the publications a subscriber uses'
		|| ' (log table `publish = ''insert''`, the other tables every change), BEGIN/RELATION/COMMIT messages'
		|| ' included, ÷ likes.'),
	(8, '- Log layout: `likeset_fold` after each round of ' || :'batch' || ' likes, as the application''s'
		|| ' folding loop would; *like + fold share* adds the folds'' total time, WAL and decoded bytes ÷'
		|| ' likes folded to the like''s figures. Parts and head are node-local and the log table publishes'
		|| ' inserts only, so a fold should decode to nothing (compare the two *decoded* columns).'),
	(9, '- Count and membership: one client, median latency; at rest (all folded) unless said.'
		|| ' Membership asks about users 1..2×size (half of them liked).'),
	(10, ''),
	(11, '| likes/page | approach | like, ms | like WAL, B | like decoded, B | like + fold share, ms'
		|| ' | like + fold share WAL, B | like + fold share decoded, B | count, ms | membership, ms | likes timed |'),
	(12, '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
),
body(sub, line) AS (
	SELECT row_number() OVER (ORDER BY s.size, a.ord),
		   format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
			to_char(s.size, 'FM999,999,999'), a.label,
			pg_temp.fmt(pg_temp.val('large_like', s.size, a.approach, 'p50_latency')),
			pg_temp.fmt(pg_temp.val('large_like', s.size, a.approach, 'wal_bytes_per_like')),
			pg_temp.fmt(pg_temp.val('large_like', s.size, a.approach, 'decoded_bytes_per_like')),
			pg_temp.fmt(pg_temp.val('large_like_fold', s.size, a.approach, 'time_per_like')),
			pg_temp.fmt(pg_temp.val('large_like_fold', s.size, a.approach, 'wal_bytes_per_like')),
			pg_temp.fmt(pg_temp.val('large_like_fold', s.size, a.approach, 'decoded_bytes_per_like')),
			pg_temp.fmt(pg_temp.val('large_count', s.size, a.approach, 'p50_latency')),
			pg_temp.fmt(pg_temp.val('large_member', s.size, a.approach, 'p50_latency')),
			pg_temp.fmt_int(pg_temp.val('large_like', s.size, a.approach, 'likes')))
	FROM sizes s CROSS JOIN approaches a
),
mid(sub, line) AS (VALUES
	(1, ''),
	(2, '### Log layout: folding, pending rows, parts'),
	(3, ''),
	(4, '| likes/page | fold, ms/like (' || :'batch' || ' per fold) | fold WAL, B/like (' || :'batch' || ' per fold)'
		|| ' | fold, ms/like (' || :'npending' || ' per fold) | fold WAL, B/like (' || :'npending' || ' per fold)'
		|| ' | count, ms, ' || :'npending' || ' pending | membership, ms, ' || :'npending' || ' pending'
		|| ' | parts at end | average part, B | likes at end |'),
	(5, '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
),
logt(sub, line) AS (
	SELECT row_number() OVER (ORDER BY s.size),
		   format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
			to_char(s.size, 'FM999,999,999'),
			pg_temp.fmt(pg_temp.val('large_fold', s.size, 'log', 'ms_per_like')),
			pg_temp.fmt(pg_temp.val('large_fold', s.size, 'log', 'wal_bytes_per_like')),
			pg_temp.fmt(pg_temp.val('large_fold1000', s.size, 'log', 'ms_per_like')),
			pg_temp.fmt(pg_temp.val('large_fold1000', s.size, 'log', 'wal_bytes_per_like')),
			pg_temp.fmt(pg_temp.val('large_count_pending', s.size, 'log', 'p50_latency')),
			pg_temp.fmt(pg_temp.val('large_member_pending', s.size, 'log', 'p50_latency')),
			pg_temp.fmt_int(pg_temp.val('large_state', s.size, 'log', 'parts_at_end')),
			pg_temp.fmt_int(pg_temp.val('large_state', s.size, 'log', 'avg_part_bytes')),
			pg_temp.fmt_int(pg_temp.val('large_state', s.size, 'log', 'present_at_end')))
	FROM sizes s
),
logn(sub, line) AS (VALUES
	(1, ''),
	(2, 'A fold rewrites each part its likes fall into once, so its WAL per like is about'
		|| ' (average part × parts touched) ÷ likes folded: where a page has far more parts than likes per fold,'
		|| ' nearly every like rewrites a part of its own, whatever the page''s size beyond that.')
),
tgt_head(sub, line) AS (VALUES
	(1, ''),
	(2, '## Targets (issue 6): log layout, 1,000,000 likes ÷ 100 likes'),
	(3, ''),
	(4, '| target | measured | goal | result |'),
	(5, '|---|--:|--:|:-:|')
),
tgt(sub, line) AS (
	SELECT ord, format('| %s | %s | %s | %s |', label, measured, goal,
		CASE WHEN ok THEN 'met' WHEN ok IS NULL THEN 'n/a' ELSE '**missed**' END)
	FROM targets
),
tail(sub, line) AS (
	SELECT 1, ''
	UNION ALL
	SELECT 2, format('%s of %s targets met.', count(*) FILTER (WHERE ok), count(*)) FROM targets
)
SELECT line FROM (
	SELECT 1 AS sec, sub, line FROM head
	UNION ALL SELECT 2, sub, line FROM body
	UNION ALL SELECT 3, sub, line FROM mid
	UNION ALL SELECT 4, sub, line FROM logt
	UNION ALL SELECT 5, sub, line FROM logn
	UNION ALL SELECT 6, sub, line FROM tgt_head
	UNION ALL SELECT 7, sub, line FROM tgt
	UNION ALL SELECT 8, sub, line FROM tail) d
ORDER BY sec, sub;
