-- bench/report.sql: results.md from the table bench_results (results.csv),
-- run by bench/run.sh with psql -At and the variables it sets.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- a number with three significant digits (whole numbers above 100), '–' for none
CREATE FUNCTION pg_temp.fmt(v float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN v IS NULL OR v = 'NaN' THEN '–'
		WHEN v = 0 THEN '0'
		WHEN abs(v) >= 100 THEN to_char(round(v::numeric), 'FM999,999,999,999')
		ELSE round(v::numeric, greatest(0, 2 - floor(log(abs(v::numeric))))::int)::text
	END
$$;

-- a ratio with two decimals (three significant digits below 0.1)
CREATE FUNCTION pg_temp.fmt_ratio(v float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN v IS NULL OR v = 'NaN' THEN '–'
		WHEN v = 0 THEN '0×'
		WHEN abs(v) >= 0.1 THEN to_char(round(v::numeric, 2), 'FM999,999,990.00') || '×'
		ELSE round(v::numeric, greatest(0, 2 - floor(log(abs(v::numeric))))::int)::text || '×'
	END
$$;

CREATE TEMP TABLE rows_shown (ord int, workload text, metric text, label text, higher_better boolean);
INSERT INTO rows_shown VALUES
	(1, 'like', 'tps', 'like (a new user), tx/s', true),
	(2, 'like_sync', 'tps', 'like, synchronous_commit=on, tx/s', true),
	(3, 'unlike', 'tps', 'unlike (an existing user), tx/s', true),
	(4, 'member', 'tps', 'did user X like page P, tx/s', true),
	(5, 'count1', 'tps', 'like count of one page, tx/s', true),
	(6, 'countall', 'median_time', 'like counts of all pages, ms/query', false),
	(7, 'build', 'median_time', 'build sets from the normalized table, ms', false),
	(8, 'storage', 'bytes_per_like', 'storage, bytes/like (heap+TOAST+indexes)', false),
	(9, 'wal', 'wal_bytes_per_like', 'WAL, bytes/like', false),
	(10, 'merge', 'median_time', 'merge 100 states × 10,000 entries, ms', false);

CREATE TEMP VIEW pivot AS
	SELECT r.ord, r.label, r.higher_better, s.size,
		   max(b.value) FILTER (WHERE b.approach = 'likeset') AS ls,
		   max(b.value) FILTER (WHERE b.approach = 'counter') AS counter,
		   max(b.value) FILTER (WHERE b.approach = 'normalized') AS norm,
		   max(b.value) FILTER (WHERE b.approach = 'jsonb') AS js
	FROM rows_shown r
	JOIN bench_results b ON b.workload = r.workload AND b.metric = r.metric
	JOIN (SELECT DISTINCT workload, size FROM bench_results) s ON s.workload = r.workload AND s.size = b.size
	GROUP BY r.ord, r.label, r.higher_better, s.size;

-- likeset's advantage over another figure: > 1 means likeset is better
CREATE FUNCTION pg_temp.adv(ls float8, other float8, higher_better boolean) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN ls IS NULL OR other IS NULL OR ls = 0 OR other = 0 THEN NULL
				WHEN higher_better THEN ls / other ELSE other / ls END
$$;

-- the figure of one approach
CREATE FUNCTION pg_temp.val(w text, sz int, a text, m text) RETURNS float8 LANGUAGE sql STABLE AS $$
	SELECT value FROM bench_results WHERE workload = w AND size = sz AND approach = a AND metric = m
$$;

CREATE TEMP TABLE targets (ord int, label text, measured float8, goal text, ok boolean);
INSERT INTO targets
	SELECT 1, 'like throughput, likeset ÷ counter (synchronous_commit=off)', x, '≥ 0.8×', x >= 0.8
	FROM (SELECT pg_temp.val('like', 200, 'likeset', 'tps') / pg_temp.val('like', 200, 'counter', 'tps') AS x) t
	UNION ALL
	SELECT 2, 'count of one page, likeset ÷ normalized throughput', x, '≥ 1×', x >= 1
	FROM (SELECT pg_temp.val('count1', 200, 'likeset', 'tps') / pg_temp.val('count1', 200, 'normalized', 'tps') AS x) t
	UNION ALL
	SELECT 3, 'membership test, likeset ÷ normalized throughput', x, '≥ 1×', x >= 1
	FROM (SELECT pg_temp.val('member', 200, 'likeset', 'tps') / pg_temp.val('member', 200, 'normalized', 'tps') AS x) t
	UNION ALL
	SELECT 4, 'counts of all pages, normalized count(*) time ÷ likeset time', x, '≥ 5×', x >= 5
	FROM (SELECT pg_temp.val('countall', 200, 'normalized', 'median_time') / pg_temp.val('countall', 200, 'likeset', 'median_time') AS x) t
	UNION ALL
	SELECT 5, 'merge 100 × 10,000, DISTINCT ON time ÷ likeset_merge_agg time', x, '≥ 3×', x >= 3
	FROM (SELECT pg_temp.val('merge', 10000, 'normalized', 'median_time') / pg_temp.val('merge', 10000, 'likeset', 'median_time') AS x) t
	UNION ALL
	SELECT 6, 'merge 100 × 10,000, likeset_merge_agg time ÷ plain-C floor', x, '≤ 4×', x <= 4
	FROM (SELECT pg_temp.val('merge', 10000, 'likeset', 'median_time') / pg_temp.val('merge', 10000, 'c_floor', 'median_time') AS x) t
	UNION ALL
	SELECT 7, 'storage per like, likeset ÷ normalized table with its index', x, '≤ 0.4×', x <= 0.4
	FROM (SELECT pg_temp.val('storage', 200, 'likeset', 'bytes_per_like') / pg_temp.val('storage', 200, 'normalized', 'bytes_per_like') AS x) t;

-- the document: (section, order within it, line), printed in that order
WITH head(sub, line) AS (VALUES
	(1, '# likeset benchmark'),
	(2, ''),
	(3, 'Made by `make bench` (`sh bench/run.sh` on a temporary server) on ' || :'rundate'
		|| ', in ' || :'elapsed' || ' s: PostgreSQL ' || :'pgversion' || ', ' || :'cpu' || '.'),
	(4, ''),
	(5, '- Server: initdb `-E UTF8 --locale=C` (text sorts and compares bytewise: the fastest'
		|| ' collation for the normalized table''s `user_id`); set: `shared_buffers=256MB`, `max_wal_size=8GB`;'
		|| ' everything else default (' || :'settings' || ').'),
	(6, '- Write workloads (like, unlike, WAL) run with `synchronous_commit=off` set per session,'
		|| ' so they measure work, not the disk''s flush; the row *like, synchronous_commit=on* shows the default.'
		|| ' Build and merge sessions set `work_mem=256MB`.'),
	(7, '- Set sizes: ' || :'layout' || '. Users `user100001` …; page p is liked by'
		|| ' users 1..size at random times in January 2026; a like adds a user not in the set, an unlike'
		|| ' removes one that is; membership asks about users 1..2×size (half of them liked).'),
	(8, '- Approaches: **likeset** `pages(page_id, likes likeset)`, `likes + user`;'
		|| ' **counter** `pages(page_id, n int)`, `n = n + 1` (not idempotent);'
		|| ' **normalized** `likes(page_id, user_id text, ts, removed, PRIMARY KEY (page_id, user_id))`,'
		|| ' upsert `ON CONFLICT … WHERE likes.ts < excluded.ts`; **jsonb** `pages(page_id, likes jsonb, unlikes jsonb)`,'
		|| ' two maps `{user: timestamp}` of likes and of unlikes (tombstones), updated with `||` and `-` under'
		|| ' the same last-writer-wins check. Statements: `bench/pgbench/*.sql`.'),
	(9, '- Throughput: pgbench `-n -M prepared`, ' || :'clients' || ' clients and threads, '
		|| :'runs' || ', ' || :'rounds'
		|| ' rounds with the approaches interleaved in rotating order; tx/s is the median of the rounds'
		|| ' (results.csv also has the median latency of every transaction). Query times: one client,'
		|| ' median over ' || :'rounds' || ' rounds after a warm-up run.'),
	(10, '- Storage: `pg_total_relation_size` after `VACUUM ANALYZE` of the loaded tables, ÷ likes.'
		|| ' WAL: `pg_current_wal_insert_lsn()` difference over a batch of likes run one by one (2,000; for'
		|| ' likeset and jsonb 100 at 10,000 and 10 at 100,000), after a CHECKPOINT and a warm-up batch of the'
		|| ' same size, with autovacuum off on every bench table meanwhile.'),
	(11, '- Merge: 100 replica states of 10,000 users drawn from 200,000 (10% tombstones),'
		|| ' `likeset_merge_agg` vs `DISTINCT ON (user_id) … ORDER BY user_id, ts DESC, removed DESC` over'
		|| ' the 1,000,000 normalized rows vs jsonb (expand both maps, DISTINCT ON, `jsonb_object_agg`);'
		|| ' all reach the same ' || :'merged' || ' present users. The plain-C floor (`bench/floor.c`) merges'
		|| ' the same states, parsed from their text, pairwise in a balanced tree, 3 times in each round'
		|| ' among the others: median of the rounds'' medians.'),
	(12, ''),
	(13, 'Ratio columns are **likeset''s advantage**: likeset ÷ other for throughput (tx/s),'
		|| ' other ÷ likeset for times and bytes. **> 1× means likeset is better** (faster, or smaller).'),
	(14, ''),
	(15, '| workload | likes/page | likeset | counter | normalized | jsonb | vs counter | vs normalized | vs jsonb |'),
	(16, '|---|--:|--:|--:|--:|--:|--:|--:|--:|')
),
body(sub, line) AS (
	SELECT row_number() OVER (ORDER BY ord, size),
		   format('| %s | %s | %s | %s | %s | %s | %s | %s | %s |',
			label, CASE WHEN ord = 10 THEN '100 × ' || to_char(size, 'FM999,999') ELSE to_char(size, 'FM999,999') END,
			pg_temp.fmt(ls), pg_temp.fmt(counter), pg_temp.fmt(norm), pg_temp.fmt(js),
			pg_temp.fmt_ratio(pg_temp.adv(ls, counter, higher_better)),
			pg_temp.fmt_ratio(pg_temp.adv(ls, norm, higher_better)),
			pg_temp.fmt_ratio(pg_temp.adv(ls, js, higher_better)))
	FROM pivot
),
mid(sub, line) AS (VALUES
	(1, ''),
	(2, 'Sets change during the run (likes add users, unlikes remove them): average present likes per page'
		|| ' in the likeset table at the end: ' || (SELECT string_agg(to_char(size, 'FM999,999') || ' → ' || pg_temp.fmt(value), ', ' ORDER BY size)
						   FROM bench_results WHERE workload = 'final_size') || '.'),
	(3, ''),
	(4, 'Plain-C floor of the merge: ' || pg_temp.fmt(pg_temp.val('merge', 10000, 'c_floor', 'median_time'))
		|| ' ms; likeset_merge_agg takes ' || pg_temp.fmt_ratio(pg_temp.val('merge', 10000, 'likeset', 'median_time')
		/ pg_temp.val('merge', 10000, 'c_floor', 'median_time')) || ' as long (detoasting and decompressing the'
		|| ' 100 stored states included).'),
	(5, ''),
	(6, '## Targets (200 likes per page unless the row says otherwise)'),
	(7, ''),
	(8, '| target | measured | goal | result |'),
	(9, '|---|--:|--:|:-:|')
),
tgt(sub, line) AS (
	SELECT ord, format('| %s | %s | %s | %s |', label, pg_temp.fmt_ratio(measured), goal,
		CASE WHEN ok THEN 'PASS' WHEN ok IS NULL THEN 'n/a' ELSE '**MISS**' END)
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
	UNION ALL SELECT 4, sub, line FROM tgt
	UNION ALL SELECT 5, sub, line FROM tail) d
ORDER BY sec, sub;
