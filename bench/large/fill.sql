-- bench/large/fill.sql: page :size of approach :approach (log, value,
-- normalized or all) holds exactly the likes of users 'user1' ..
-- 'user<size>', liked one millisecond apart from 2026-01-01 on.  Run once
-- with approach=all to load, then before each measured round of likes on a
-- small page to put it back to its size.
-- psql -v size=100 -v approach=all -f bench/large/fill.sql
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET work_mem = '256MB';
SELECT :'approach' IN ('log', 'all') AS do_log,
	   :'approach' IN ('value', 'all') AS do_value,
	   :'approach' IN ('normalized', 'all') AS do_norm,
	   :'approach' = 'all' AS loading \gset

\if :do_log
-- the bench's own reset: the part and head rows of a key have no API to drop them
DELETE FROM lg.page_likes WHERE key = :size;
DELETE FROM lg.page_likes_part WHERE key = :size;
DELETE FROM lg.page_likes_head WHERE key = :size;
INSERT INTO lg.page_likes (key, element, ts, removed)
	SELECT :size, 'user' || i, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', false
	FROM generate_series(1, :size) i;
-- one fold, as the application's folding loop would run it
SELECT likeset_fold('lg.page_likes') AS folded \gset
\endif

\if :do_value
INSERT INTO lg.pages AS p (id, likes)
	SELECT :size, likeset_agg('user' || i, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms')
	FROM generate_series(1, :size) i
	ON CONFLICT (id) DO UPDATE SET likes = excluded.likes;
\endif

\if :loading
INSERT INTO lg.counters AS c (page, n) VALUES (:size, :size)
	ON CONFLICT (page) DO UPDATE SET n = excluded.n;
\endif

\if :do_norm
\if :loading
INSERT INTO lg.norm_likes (page, user_id, ts, removed)
	SELECT :size, 'user' || i, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', false
	FROM generate_series(1, :size) i;
\else
-- the likes a measured round added are the users whose name starts with 'v'
DELETE FROM lg.norm_likes WHERE page = :size AND user_id >= 'v' AND user_id < 'w';
-- and the users a measured round of unlikes removed like the page again
UPDATE lg.norm_likes SET removed = false WHERE page = :size AND removed;
\endif
\endif
