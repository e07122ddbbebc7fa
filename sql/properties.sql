--
-- Property tests: random operation lists, built into states in several
-- ways, checked against a model computed in plain SQL, and the merge laws.
--
-- Model: for each element, the operation with the greatest (ts, removed),
-- i.e. the later timestamp wins and on equal timestamps remove beats add.
-- Every check prints how many cases it checked and how many failed (0).
--
SELECT setseed(0.42);

-- Twelve elements, several of them awkward for the text form; byte order
-- (COLLATE "C") is the order of entries in a likeset
CREATE TEMP TABLE alphabet (ord int, elem text);
INSERT INTO alphabet VALUES
	(1, ''), (2, '-x'), (3, 'a,b'), (4, 'q"'), (5, 'é'), (6, 'x y'),
	(7, '\'), (8, 'a'), (9, 'b'), (10, 'B'), (11, '{z}'), (12, 'at@t');

-- Helpers: one operation applied with an explicit timestamp, a left fold
-- of operations (ordered by the aggregate's ORDER BY), and an element
-- quoted for the text form
CREATE FUNCTION pg_temp.apply_op(s likeset, e text, t timestamptz, r boolean)
	RETURNS likeset LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT CASE WHEN r THEN likeset_remove(s, e, t) ELSE likeset_add(s, e, t) END $$;
CREATE AGGREGATE pg_temp.fold(text, timestamptz, boolean) (
	SFUNC = pg_temp.apply_op, STYPE = likeset, INITCOND = '{}'
);
CREATE FUNCTION pg_temp.q(e text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT '"' || replace(replace(e, '\', '\\'), '"', '\"') || '"' $$;
-- entries of a state as one comparable text, in the order they come out
CREATE FUNCTION pg_temp.ents(s likeset) RETURNS text LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT coalesce(string_agg(row(element, ts, removed)::text, ' ' ORDER BY n), '')
	      FROM likeset_entries(s) WITH ORDINALITY AS e(element, ts, removed, n) $$;

-- 400 cases of 1 to 15 operations.  Kinds: 'bare' cases hold some
-- operations at the lowest timestamp (the one of a bare literal element),
-- 'micro' cases timestamps a few microseconds apart, 'plain' cases
-- timestamps among six whole seconds; equal timestamps are common.
CREATE TEMP TABLE cases AS
SELECT g AS case_id,
	   CASE g % 5 WHEN 0 THEN 'bare' WHEN 1 THEN 'micro' ELSE 'plain' END AS kind,
	   1 + floor(random() * 15)::int AS nops
FROM generate_series(1, 400) AS g;

CREATE TEMP TABLE ops_raw AS
SELECT c.case_id, s.seq,
	   random() AS r_elem, random() AS r_removed, random() AS r_bare,
	   random() AS r_ts, random() AS r_us, random() AS r_shuf, random() AS r_part
FROM cases AS c, generate_series(1, c.nops) AS s(seq)
ORDER BY c.case_id, s.seq;

CREATE TEMP TABLE ops AS
SELECT o.case_id, o.seq,
	   (SELECT elem FROM alphabet WHERE ord = 1 + floor(o.r_elem * 12)::int) AS elem,
	   CASE
		 WHEN c.kind = 'bare' AND o.r_bare < 0.4
		   THEN '4714-11-24 00:00:00+00 BC'::timestamptz
		 WHEN c.kind = 'micro'
		   THEN '2026-01-01 00:00:00+00'::timestamptz
				+ floor(o.r_ts * 3)::int * interval '1 second'
				+ floor(o.r_us * 3)::int * interval '1 microsecond'
		 ELSE '2026-01-01 00:00:00+00'::timestamptz
			  + (o.r_ts * 5)::int * interval '1 second'
	   END AS ts,
	   o.r_removed < 0.45 AS removed,
	   c.kind = 'bare' AND o.r_bare < 0.4 AS bare,
	   row_number() OVER (PARTITION BY o.case_id ORDER BY o.r_shuf) AS shuf,
	   floor(o.r_part * 3)::int AS part
FROM ops_raw AS o JOIN cases AS c USING (case_id);

-- The model: per element the operation with the greatest (ts, removed)
CREATE TEMP TABLE model AS
SELECT DISTINCT ON (case_id, elem) case_id, elem, ts, removed
FROM ops
ORDER BY case_id, elem, ts DESC, removed DESC;
CREATE INDEX ON ops (case_id, elem);
CREATE INDEX ON model (case_id);
ANALYZE alphabet, cases, ops, model;

CREATE FUNCTION pg_temp.model_ents(c int) RETURNS text LANGUAGE sql STABLE STRICT
	AS $$ SELECT coalesce(string_agg(row(elem, ts, removed)::text, ' ' ORDER BY elem COLLATE "C"), '')
	      FROM model WHERE case_id = c $$;

-- What the random data holds: cases, operations, and how often the winning
-- timestamp of an element carries both an add and a remove (a tie)
SELECT count(DISTINCT case_id) AS cases, count(*) AS ops,
	   count(*) FILTER (WHERE bare) AS bare_ops,
	   count(*) FILTER (WHERE removed) AS removes
FROM ops;
SELECT count(*) AS elements_in_model,
	   count(*) FILTER (WHERE removed) AS tombstones,
	   count(*) FILTER (WHERE (SELECT bool_or(o.removed) AND bool_or(NOT o.removed)
							   FROM ops AS o
							   WHERE o.case_id = m.case_id AND o.elem = m.elem
								 AND o.ts = m.ts)) AS add_remove_ties
FROM model AS m;

--
-- Build each case's state in several ways
--
CREATE TEMP TABLE built (case_id int, how text, s likeset);

-- (1) fold in seq order with explicit timestamps (recursive CTE); 'bare'
-- cases start from a literal of their bare elements, '{a,-b,...}'
INSERT INTO built
WITH RECURSIVE f(case_id, seq, s) AS (
	SELECT c.case_id, 0,
		   coalesce((SELECT ('{' || string_agg(CASE WHEN o.removed THEN '-' ELSE '' END
											 || pg_temp.q(o.elem), ',' ORDER BY o.seq)
							 || '}')::likeset
					 FROM ops AS o WHERE o.case_id = c.case_id AND o.bare),
					'{}')
	FROM cases AS c
  UNION ALL
	SELECT f.case_id, o.seq,
		   CASE WHEN o.bare THEN f.s ELSE pg_temp.apply_op(f.s, o.elem, o.ts, o.removed) END
	FROM f JOIN ops AS o ON o.case_id = f.case_id AND o.seq = f.seq + 1
)
SELECT DISTINCT ON (case_id) case_id, 'fold', s FROM f ORDER BY case_id, seq DESC;

-- (2) the same operations in reverse and in shuffled order, all of them
-- with explicit timestamps (the lowest one for bare elements)
INSERT INTO built
SELECT case_id, 'reverse', pg_temp.fold(elem, ts, removed ORDER BY seq DESC)
FROM ops GROUP BY case_id;
INSERT INTO built
SELECT case_id, 'shuffled', pg_temp.fold(elem, ts, removed ORDER BY shuf)
FROM ops GROUP BY case_id;

-- (3) likeset_merge_agg over one-element sets, one per operation
INSERT INTO built
SELECT case_id, 'merge_agg', likeset_merge_agg(pg_temp.apply_op('{}', elem, ts, removed))
FROM ops GROUP BY case_id;

-- (3b) likeset_agg for the adds (without ts for bare ones), merged with
-- likeset_merge_agg of the removes
INSERT INTO built
SELECT case_id, 'likeset_agg',
	   coalesce(likeset_agg(elem, ts) FILTER (WHERE NOT removed AND NOT bare), '{}')
	   | coalesce(likeset_agg(elem) FILTER (WHERE NOT removed AND bare), '{}')
	   | coalesce(likeset_merge_agg(likeset_remove('{}', elem, ts)) FILTER (WHERE removed), '{}')
FROM ops GROUP BY case_id;

-- (4) a random split of the operations into three parts, each folded in
-- seq order, then merged pairwise
INSERT INTO built
SELECT p.case_id, 'split', p0 | (p1 | p2)
FROM (SELECT c.case_id,
			 coalesce((SELECT pg_temp.fold(elem, ts, removed ORDER BY seq) FROM ops AS o
					   WHERE o.case_id = c.case_id AND o.part = 0), '{}') AS p0,
			 coalesce((SELECT pg_temp.fold(elem, ts, removed ORDER BY seq) FROM ops AS o
					   WHERE o.case_id = c.case_id AND o.part = 1), '{}') AS p1,
			 coalesce((SELECT pg_temp.fold(elem, ts, removed ORDER BY seq) FROM ops AS o
					   WHERE o.case_id = c.case_id AND o.part = 2), '{}') AS p2
	  FROM cases AS c) AS p;

-- (5) one text literal of all operations in seq order (repeated elements
-- are merged), timestamps written with Z, +05:30 and -0200 offsets and
-- with T or a space; bare elements without a timestamp
INSERT INTO built
SELECT case_id, 'literal',
	   ('{' || string_agg(
			CASE WHEN removed THEN '-' ELSE '' END || pg_temp.q(elem) ||
			CASE WHEN bare THEN ''
				 WHEN seq % 3 = 0 THEN '@' || to_char(ts AT TIME ZONE 'UTC',
													 'YYYY-MM-DD"T"HH24:MI:SS.US') || 'Z'
				 WHEN seq % 3 = 1 THEN ' @ ' || to_char((ts AT TIME ZONE 'UTC') + interval '5:30',
													   'YYYY-MM-DD HH24:MI:SS.US') || '+05:30'
				 ELSE '@' || to_char((ts AT TIME ZONE 'UTC') - interval '2 hours',
									 'YYYY-MM-DD"T"HH24:MI:SS.US') || '-0200'
			END,
			CASE WHEN seq % 2 = 0 THEN ',' ELSE ' , ' END ORDER BY seq) || '}')::likeset
FROM ops GROUP BY case_id;

--
-- Each built state against the model
--
-- entries: element, ts and removed exactly, in byte order
SELECT how, count(*) AS checked,
	   count(*) FILTER (WHERE (pg_temp.ents(s) = pg_temp.model_ents(case_id)) IS NOT TRUE) AS failures
FROM built GROUP BY how ORDER BY how;

-- likeset_count, likeset_elements (byte order) and, for every alphabet
-- element, likeset_contains and @>
SELECT how, count(*) AS checked,
	   count(*) FILTER (WHERE (
			likeset_count(s) = (SELECT count(*) FROM model AS m
								WHERE m.case_id = b.case_id AND NOT m.removed)
		) IS NOT TRUE) AS count_failures,
	   count(*) FILTER (WHERE (
			(SELECT coalesce(array_agg(x ORDER BY n), '{}')
			 FROM likeset_elements(s) WITH ORDINALITY AS e(x, n))
			= (SELECT coalesce(array_agg(elem ORDER BY elem COLLATE "C"), '{}')
			   FROM model AS m WHERE m.case_id = b.case_id AND NOT m.removed)
		) IS NOT TRUE) AS elements_failures,
	   count(*) FILTER (WHERE (
			(SELECT bool_and(likeset_contains(s, a.elem) = a.present
							 AND (s @> a.elem) = a.present)
			 FROM (SELECT a.elem,
						  EXISTS (SELECT FROM model AS m
								  WHERE m.case_id = b.case_id AND m.elem = a.elem
									AND NOT m.removed) AS present
				   FROM alphabet AS a) AS a)
		) IS NOT TRUE) AS contains_failures
FROM built AS b GROUP BY how ORDER BY how;

-- all ways agree with the fold: =, <>, likeset_cmp and the hash
SELECT count(*) AS checked,
	   count(*) FILTER (WHERE (b.s = f.s AND NOT (b.s <> f.s) AND b.s <= f.s AND b.s >= f.s
							   AND likeset_cmp(b.s, f.s) = 0
							   AND likeset_hash(b.s) = likeset_hash(f.s)
							   AND likeset_hash_extended(b.s, 7) = likeset_hash_extended(f.s, 7)
							  ) IS NOT TRUE) AS failures
FROM built AS b JOIN built AS f ON f.case_id = b.case_id AND f.how = 'fold'
WHERE b.how <> 'fold';

-- one big group: all operations of all cases (elements collide across
-- cases) through likeset_merge_agg and through the fold, against the model
-- of all operations
CREATE TEMP TABLE global_model AS
SELECT DISTINCT ON (elem) elem, ts, removed FROM ops ORDER BY elem, ts DESC, removed DESC;
SELECT count(*) AS checked, count(*) FILTER (WHERE ok IS NOT TRUE) AS failures
FROM (SELECT pg_temp.ents(s) = (SELECT string_agg(row(elem, ts, removed)::text, ' '
												  ORDER BY elem COLLATE "C") FROM global_model) AS ok
	  FROM (SELECT likeset_merge_agg(pg_temp.apply_op('{}', elem, ts, removed)) AS s FROM ops
			UNION ALL
			SELECT likeset_merge_agg(s) FROM built
			UNION ALL
			SELECT pg_temp.fold(elem, ts, removed ORDER BY r_shuf)
			FROM ops JOIN ops_raw USING (case_id, seq)) AS x) AS y;

--
-- Merge laws over random pairs and triples of built states
--
CREATE TEMP TABLE triples AS
SELECT g AS t,
	   1 + floor(random() * 400)::int AS a_id, 1 + floor(random() * 400)::int AS b_id,
	   1 + floor(random() * 400)::int AS c_id,
	   (ARRAY['fold', 'reverse', 'shuffled', 'merge_agg', 'likeset_agg', 'split', 'literal'])
		 [1 + floor(random() * 7)::int] AS a_how,
	   (ARRAY['fold', 'reverse', 'shuffled', 'merge_agg', 'likeset_agg', 'split', 'literal'])
		 [1 + floor(random() * 7)::int] AS b_how
FROM generate_series(1, 600) AS g;
-- a few pairs of a case with itself
UPDATE triples SET b_id = a_id WHERE t % 50 = 0;

CREATE TEMP TABLE tri AS
SELECT t.t, t.a_id, t.b_id, t.c_id, a.s AS a, b.s AS b, c.s AS c
FROM triples AS t
JOIN built AS a ON a.case_id = t.a_id AND a.how = t.a_how
JOIN built AS b ON b.case_id = t.b_id AND b.how = t.b_how
JOIN built AS c ON c.case_id = t.c_id AND c.how = 'fold';

SELECT count(*) AS checked,
	   count(*) FILTER (WHERE ((a | b) = (b | a)) IS NOT TRUE) AS commutative_failures,
	   count(*) FILTER (WHERE (likeset_merge(likeset_merge(a, b), c)
							  = likeset_merge(a, likeset_merge(b, c))) IS NOT TRUE) AS associative_failures,
	   count(*) FILTER (WHERE ((a | a) = a AND (b | b) = b) IS NOT TRUE) AS idempotent_failures,
	   count(*) FILTER (WHERE ((a | '{}') = a AND ('{}' | a) = a) IS NOT TRUE) AS identity_failures,
	   count(*) FILTER (WHERE (((a | b) | a) = (a | b) AND ((a | b) | b) = (a | b)) IS NOT TRUE) AS absorb_failures,
	   count(*) FILTER (WHERE (m.x = (a | b) | c) IS NOT TRUE) AS merge_agg_failures
FROM tri, LATERAL (SELECT likeset_merge_agg(v.x) FROM (VALUES (c), (NULL::likeset), (a), (b)) AS v(x)) AS m(x);

-- a | b against the model of the union of both cases' operations
SELECT count(*) AS checked,
	   count(*) FILTER (WHERE (pg_temp.ents(a | b) =
			(SELECT coalesce(string_agg(row(elem, ts, removed)::text, ' ' ORDER BY elem COLLATE "C"), '')
			 FROM (SELECT DISTINCT ON (elem) elem, ts, removed FROM ops
				   WHERE case_id IN (tri.a_id, tri.b_id)
				   ORDER BY elem, ts DESC, removed DESC) AS u)
		   AND likeset_count(a | b) =
			(SELECT count(*) FROM (SELECT DISTINCT ON (elem) elem, removed FROM ops
								   WHERE case_id IN (tri.a_id, tri.b_id)
								   ORDER BY elem, ts DESC, removed DESC) AS u
			 WHERE NOT removed)) IS NOT TRUE) AS failures
FROM tri;

--
-- Text round trip, whatever TimeZone and DateStyle say
--
CREATE TEMP TABLE texts AS
SELECT case_id, how, s, s::text AS txt FROM built
UNION ALL
SELECT -t, 'merged', (a | b) | c, ((a | b) | c)::text FROM tri;
SELECT count(*) AS checked,
	   count(*) FILTER (WHERE (txt::likeset = s AND txt::likeset::text = txt) IS NOT TRUE) AS failures
FROM texts;
SET TimeZone = 'America/St_Johns';
SET DateStyle = 'SQL, DMY';
SELECT count(*) AS checked,
	   count(*) FILTER (WHERE (s::text = txt AND txt::likeset = s) IS NOT TRUE) AS failures
FROM texts;
RESET TimeZone;
RESET DateStyle;

--
-- Operations with explicit timestamps on built states: for each model
-- entry, add and remove a bit older, at the same timestamp and just newer;
-- plus operations on absent elements.  The result must match the model
-- with the operation merged in; retrying the operation changes nothing;
-- an operation older than the element's current one changes nothing.
--
CREATE TEMP TABLE probes AS
SELECT m.case_id, m.elem, m.ts AS cur_ts, m.removed AS cur_removed,
	   d.delta, r.removed,
	   m.ts + d.delta * interval '1 microsecond' AS ts
FROM model AS m,
	 (VALUES (-1500000), (-1), (0), (1), (2000000)) AS d(delta),
	 (VALUES (false), (true)) AS r(removed)
WHERE m.ts > '4714-11-24 00:00:00+00 BC'::timestamptz OR d.delta >= 0
UNION ALL
SELECT c.case_id, a.elem, NULL, NULL, NULL, r.removed,
	   '2026-01-01 00:00:00+00'::timestamptz + floor(random() * 6)::int * interval '1 second'
FROM cases AS c, alphabet AS a, (VALUES (false), (true)) AS r(removed)
WHERE NOT EXISTS (SELECT FROM model AS m WHERE m.case_id = c.case_id AND m.elem = a.elem)
  AND c.case_id % 4 = 0;

CREATE TEMP TABLE probed AS
SELECT p.*, b.s, pg_temp.apply_op(b.s, p.elem, p.ts, p.removed) AS s1
FROM probes AS p JOIN built AS b ON b.case_id = p.case_id
	 AND b.how = (ARRAY['fold', 'merge_agg', 'literal'])[1 + (p.case_id % 3)];
ANALYZE probed;

SELECT CASE WHEN delta IS NULL THEN 'absent element'
			WHEN delta < 0 THEN 'older'
			WHEN delta = 0 THEN 'same ts'
			ELSE 'newer' END AS probe,
	   removed AS op_is_remove,
	   count(*) AS checked,
	   count(*) FILTER (WHERE (
			pg_temp.ents(s1) =
			(SELECT coalesce(string_agg(row(elem, ts, removed)::text, ' ' ORDER BY elem COLLATE "C"), '')
			 FROM (SELECT DISTINCT ON (elem) elem, ts, removed
				   FROM (SELECT elem, ts, removed FROM model WHERE case_id = p.case_id
						 UNION ALL SELECT p.elem, p.ts, p.removed) AS u
				   ORDER BY elem, ts DESC, removed DESC) AS w)
			-- a retry of the same operation changes nothing
			AND pg_temp.apply_op(s1, elem, ts, removed) = s1
			-- older, or an add at the same timestamp: nothing changes;
			-- otherwise (on an existing element) the state changes
			AND (s1 = s) = CASE WHEN delta IS NULL THEN false
								ELSE delta < 0 OR (delta = 0 AND (cur_removed OR NOT removed)) END
			AND likeset_contains(s1, elem) =
				CASE WHEN delta IS NULL THEN NOT removed
					 WHEN delta < 0 OR (delta = 0 AND cur_removed) THEN NOT cur_removed
					 ELSE NOT removed END
		) IS NOT TRUE) AS failures
FROM probed AS p
GROUP BY 1, 2 ORDER BY 1, 2;

-- every operation of a case, applied again to the case's state (a late or
-- duplicated delivery), changes nothing
SELECT count(*) AS checked,
	   count(*) FILTER (WHERE (pg_temp.apply_op(b.s, o.elem, o.ts, o.removed) = b.s) IS NOT TRUE) AS failures
FROM ops AS o JOIN built AS b ON b.case_id = o.case_id AND b.how IN ('fold', 'split');

--
-- Default timestamps (no ts): greatest(current time, highest ts in s + 1us).
-- Only booleans are printed.
--
CREATE TEMP TABLE dflt_in AS
SELECT b.case_id, b.s, a.elem AS e,
	   -- another element: k in 0..10 never wraps back to e
	   (SELECT elem FROM alphabet WHERE ord = 1 + (a.ord + k) % 12) AS e2,
	   (SELECT max(ts) FROM model AS m WHERE m.case_id = b.case_id) AS maxts,
	   likeset_contains(b.s, a.elem) AS had
FROM built AS b,
	 LATERAL (SELECT floor(random() * 11)::int AS k WHERE b.case_id > 0) AS kk,
	 LATERAL (SELECT * FROM alphabet WHERE b.case_id > 0 ORDER BY random() LIMIT 2) AS a
WHERE b.how = 'fold';

CREATE TEMP TABLE dflt AS
SELECT d.*, now() AS t0,
	   likeset_add(s, e) AS added,
	   s - e AS removed,
	   likeset_add(likeset_remove(s, e, '2100-01-01 00:00:00+00'), e) AS add_over_future_tomb,
	   likeset_remove(s, e, '2100-01-01 00:00:00+00') + e AS add_over_future_tomb_op,
	   likeset_remove(likeset_add(s, e, '2100-01-01 00:00:00+00'), e) AS remove_over_future_add,
	   likeset_remove(s, e2, '2100-01-01 00:00:00+00') + e AS add_after_future_other,
	   ((s + e) - e) AS add_remove,
	   (((s + e) - e) + e) AS add_remove_add
FROM dflt_in AS d;

CREATE FUNCTION pg_temp.ts_of(s likeset, e text) RETURNS timestamptz LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT ts FROM likeset_entries(s) WHERE element = e $$;
CREATE FUNCTION pg_temp.max_ts(s likeset) RETURNS timestamptz LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT max(ts) FROM likeset_entries(s) $$;
-- entries other than e's
CREATE FUNCTION pg_temp.ents_but(s likeset, e text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT coalesce(string_agg(row(element, ts, removed)::text, ' ' ORDER BY n), '')
	      FROM likeset_entries(s) WITH ORDINALITY AS x(element, ts, removed, n)
		  WHERE element <> e $$;

SELECT count(*) AS checked,
	   count(*) FILTER (WHERE (
			likeset_contains(added, e)
			AND pg_temp.ts_of(added, e) > maxts
			AND pg_temp.ts_of(added, e) >= t0
			AND pg_temp.max_ts(added) = pg_temp.ts_of(added, e)
			AND pg_temp.ents_but(added, e) = pg_temp.ents_but(s, e)
			AND likeset_count(added) = likeset_count(s) + (NOT had)::int
		) IS NOT TRUE) AS add_failures,
	   count(*) FILTER (WHERE (
			NOT likeset_contains(removed, e)
			AND pg_temp.ts_of(removed, e) > maxts
			AND pg_temp.ts_of(removed, e) >= t0
			AND (SELECT x.removed FROM likeset_entries(d.removed) AS x WHERE element = e)
			AND pg_temp.ents_but(removed, e) = pg_temp.ents_but(s, e)
			AND likeset_count(removed) = likeset_count(s) - had::int
		) IS NOT TRUE) AS remove_failures,
	   count(*) FILTER (WHERE (
			likeset_contains(add_over_future_tomb, e)
			AND pg_temp.ts_of(add_over_future_tomb, e) = '2100-01-01 00:00:00.000001+00'
			AND add_over_future_tomb_op = add_over_future_tomb
			AND NOT likeset_contains(remove_over_future_add, e)
			AND pg_temp.ts_of(remove_over_future_add, e) = '2100-01-01 00:00:00.000001+00'
			AND likeset_contains(add_after_future_other, e)
			AND NOT likeset_contains(add_after_future_other, e2)
			AND pg_temp.ts_of(add_after_future_other, e) = '2100-01-01 00:00:00.000001+00'
		) IS NOT TRUE) AS future_failures,
	   count(*) FILTER (WHERE (
			NOT likeset_contains(add_remove, e)
			AND likeset_contains(add_remove_add, e)
			AND pg_temp.ts_of(add_remove_add, e) > pg_temp.ts_of(add_remove, e)
			AND likeset_count(add_remove_add) = likeset_count(s) + (NOT had)::int
		) IS NOT TRUE) AS sequence_failures
FROM dflt AS d;

--
-- likeset_compact(s, h): the model's entries minus tombstones older than h,
-- with a horizon recorded (at most h) exactly when something was dropped;
-- the compacted value absorbs the original (c | s = c)
--
CREATE TEMP TABLE horizons AS
SELECT b.case_id, b.s, h.h
FROM built AS b,
	 LATERAL (SELECT h FROM (VALUES ('4714-11-24 00:00:00+00 BC'::timestamptz),
									('4714-11-24 00:00:00.000001+00 BC'),
									('2025-12-31 23:59:59+00'),
									('2026-01-01 00:00:00+00'), ('2026-01-01 00:00:00.000001+00'),
									('2026-01-01 00:00:00.5+00'), ('2026-01-01 00:00:01+00'),
									('2026-01-01 00:00:01.000002+00'), ('2026-01-01 00:00:02+00'),
									('2026-01-01 00:00:02.000002+00'), ('2026-01-01 00:00:02.000003+00'),
									('2026-01-01 00:00:03+00'), ('2026-01-01 00:00:04.5+00'),
									('2026-01-01 00:00:05+00'), ('2026-01-01 00:00:05.000001+00'),
									('2100-01-01 00:00:00+00')) AS v(h)
			  WHERE b.case_id > 0 ORDER BY random() LIMIT 3) AS h
WHERE b.how IN ('fold', 'likeset_agg');
ANALYZE horizons;

SELECT count(*) AS checked,
	   count(*) FILTER (WHERE c <> s) AS changed,
	   count(*) FILTER (WHERE (
			pg_temp.ents(c) =
			(SELECT coalesce(string_agg(row(elem, ts, removed)::text, ' ' ORDER BY elem COLLATE "C"), '')
			 FROM model AS m WHERE m.case_id = x.case_id AND NOT (m.removed AND m.ts < x.h))
			AND likeset_count(c) = likeset_count(s)
			AND c::text::likeset = c
			AND likeset_compact(c, h) = c
			AND (c | s) = c
			AND (likeset_horizon(c) IS NULL) = (c = s)
			AND coalesce(likeset_horizon(c) <= h, true)
		) IS NOT TRUE) AS failures
FROM (SELECT horizons.*, likeset_compact(s, h) AS c FROM horizons) AS x;

-- the lowest horizon never drops anything
SELECT count(*) AS checked,
	   count(*) FILTER (WHERE (likeset_compact(s, '4714-11-24 00:00:00+00 BC') = s) IS NOT TRUE) AS failures
FROM built;
