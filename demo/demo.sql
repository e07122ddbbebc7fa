-- demo/demo.sql: why likeset exists, told as a story about page likes.
-- Act 1 of the demo, on one server: demo/demo.sh runs it on node A, in a
-- database of its own (psql -X -q, ON_ERROR_STOP), then plays act 2 on three
-- servers that replicate to each other.  It narrates with \echo.
-- Every operation carries an explicit client timestamp, so the output is the
-- same on every run.  The DO ... ASSERT lines check each claim the narration
-- makes: if one does not hold, the demo stops with an error.

SET client_min_messages = warning;
SET TimeZone = 'UTC';
\pset footer off
CREATE EXTENSION likeset;

\echo
\echo '=== 1. The problem: a like counter ==='
\echo
\echo 'A page with a plain counter column: likes int.'
CREATE TABLE counter_pages (page_id int PRIMARY KEY, likes int NOT NULL DEFAULT 0);
INSERT INTO counter_pages (page_id) VALUES (1);
\echo 'tahir clicks "like"; the web server runs UPDATE ... SET likes = likes + 1.'
UPDATE counter_pages SET likes = likes + 1 WHERE page_id = 1;
\echo 'The update commits, but its acknowledgement is lost on the way back to the'
\echo 'client, which therefore retries the same request:'
UPDATE counter_pages SET likes = likes + 1 WHERE page_id = 1;
SELECT page_id, likes FROM counter_pages;
DO $$ BEGIN ASSERT (SELECT likes FROM counter_pages WHERE page_id = 1) = 2,
	'the counter should say 2 after the retry'; END $$;
\echo 'One click, two likes: incrementing a counter is not idempotent.'

\echo
\echo '=== 2. The same with likeset ==='
\echo
\echo 'The page now stores the set of users who like it: likes likeset.'
CREATE TABLE pages (page_id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
INSERT INTO pages (page_id) VALUES (1);
\echo 'The client puts the time of the click in the request, so a retry carries'
\echo 'the same timestamp.  The server applies a request with likeset_add(likes,'
\echo 'user, click time) or likeset_remove(likes, user, click time):'
PREPARE like_page (int, text, timestamptz) AS
	UPDATE pages SET likes = likeset_add(likes, $2, $3) WHERE page_id = $1;
PREPARE unlike_page (int, text, timestamptz) AS
	UPDATE pages SET likes = likeset_remove(likes, $2, $3) WHERE page_id = $1;
\echo
\echo 'tahir likes page 1 at 10:00:'
EXECUTE like_page(1, 'tahir', '2026-11-28 10:00:00+00');
\echo 'The acknowledgement is lost again; the client retries the same request:'
EXECUTE like_page(1, 'tahir', '2026-11-28 10:00:00+00');
SELECT likeset_count(likes) AS likes FROM pages WHERE page_id = 1;
DO $$ BEGIN ASSERT (SELECT likeset_count(likes) FROM pages WHERE page_id = 1) = 1,
	'a retried like should leave the count at 1'; END $$;
\echo 'Still one like: adding tahir again changes nothing.'
\echo
\echo 'tara likes page 1 at 10:05:'
EXECUTE like_page(1, 'tara', '2026-11-28 10:05:00+00');
SELECT likeset_count(likes) AS likes FROM pages WHERE page_id = 1;
SELECT likeset_elements(likes) AS liked_by FROM pages WHERE page_id = 1;
DO $$ BEGIN ASSERT (SELECT likeset_count(likes) = 2
                        AND array(SELECT likeset_elements(likes)) = '{tahir,tara}'
                    FROM pages WHERE page_id = 1),
	'page 1 should be liked by tahir and tara'; END $$;
\echo 'The stored value remembers when each user last liked (times in UTC):'
SELECT likes FROM pages WHERE page_id = 1;

\echo '=== 3. An unlike, then a late retry of the old like ==='
\echo
\echo 'tahir unlikes page 1 at 10:10:'
EXECUTE unlike_page(1, 'tahir', '2026-11-28 10:10:00+00');
SELECT likeset_count(likes) AS likes FROM pages WHERE page_id = 1;
\echo 'Now a retry of tahir''s 10:00 like request, delayed somewhere, arrives:'
EXECUTE like_page(1, 'tahir', '2026-11-28 10:00:00+00');
SELECT likeset_count(likes) AS likes, likes @> 'tahir' AS "likes @> 'tahir'"
FROM pages WHERE page_id = 1;
DO $$ BEGIN ASSERT (SELECT likeset_count(likes) = 1 AND NOT likes @> 'tahir'
                    FROM pages WHERE page_id = 1),
	'a late retry of the old like should not undo the newer unlike'; END $$;
\echo 'The old like did not undo the newer unlike.  With a plain set of users it'
\echo 'would have put tahir back.  likeset keeps the unlike as a tombstone with'
\echo 'its time, and the later operation wins:'
SELECT e.* FROM pages, likeset_entries(likes) AS e WHERE page_id = 1;

\echo '=== 4. Two replicas that accept writes ==='
\echo
\echo 'Page 1 is replicated to two nodes, A and B; each starts with a copy of the'
\echo 'state above.  (Here the two nodes are two rows of a table, and we play the'
\echo 'replication by hand; act 2 does it with real servers.)'
CREATE TABLE replicas (node text PRIMARY KEY, likes likeset NOT NULL);
INSERT INTO replicas SELECT n, likes FROM pages, (VALUES ('A'), ('B')) AS v(n)
	WHERE page_id = 1;
\echo 'While they cannot reach each other:'
\echo '  on A, tahir likes again at 10:20, and omar likes at 10:21;'
UPDATE replicas SET likes = likeset_add(likes, 'tahir', '2026-11-28 10:20:00+00')
	WHERE node = 'A';
UPDATE replicas SET likes = likeset_add(likes, 'omar', '2026-11-28 10:21:00+00')
	WHERE node = 'A';
\echo '  on B, tara unlikes at 10:15; omar''s 10:21 like reaches B as well, and'
\echo '  omar unlikes on B at 10:30.'
UPDATE replicas SET likes = likeset_remove(likes, 'tara', '2026-11-28 10:15:00+00')
	WHERE node = 'B';
UPDATE replicas SET likes = likeset_add(likes, 'omar', '2026-11-28 10:21:00+00')
	WHERE node = 'B';
UPDATE replicas SET likes = likeset_remove(likes, 'omar', '2026-11-28 10:30:00+00')
	WHERE node = 'B';
\echo
\echo 'Every entry on each node (removed = an unlike, kept as a tombstone):'
SELECT node, e.* FROM replicas, likeset_entries(likes) AS e ORDER BY node, e.element;
SELECT node, likeset_count(likes) AS likes,
	array(SELECT likeset_elements(likes)) AS liked_by
FROM replicas ORDER BY node;
-- the view ab puts A's state in column a and B's in column b
CREATE VIEW ab AS
	SELECT a.likes AS a, b.likes AS b FROM replicas a, replicas b
	WHERE a.node = 'A' AND b.node = 'B';
DO $$ BEGIN ASSERT (SELECT array(SELECT likeset_elements(a)) = '{omar,tahir,tara}'
                        AND likeset_count(b) = 0 FROM ab),
	'A should have omar, tahir and tara present, B nobody'; END $$;
\echo 'The two nodes disagree:'
SELECT a = b AS "A and B agree" FROM ab;
DO $$ BEGIN ASSERT (SELECT a <> b FROM ab),
	'A and B should disagree before merging'; END $$;
\echo 'When they reconnect, each node merges the state of the other (a | b keeps,'
\echo 'for every user, the later operation).  A merges B''s state, B merges A''s:'
SELECT v.merge, v.state
FROM ab, LATERAL (VALUES ('A | B', a | b), ('B | A', b | a)) AS v(merge, state);
SELECT (a | b) = (b | a) AS "A | B = B | A" FROM ab;
\echo 'Messages may be delivered twice: merging the same state again changes nothing.'
SELECT ((a | b) | b) = (a | b) AS "(A | B) | B = A | B",
	((a | b) | a) = (a | b) AS "(A | B) | A = A | B",
	((a | b) | (a | b)) = (a | b) AS "(A | B) | (A | B) = A | B"
FROM ab;
DO $$ BEGIN ASSERT (SELECT (a | b) = (b | a) AND ((a | b) | b) = (a | b)
                        AND ((a | b) | a) = (a | b) AND ((a | b) | (a | b)) = (a | b)
                    FROM ab),
	'merging should be commutative and idempotent'; END $$;
\echo 'The merged state: tahir''s 10:20 like beats his 10:10 unlike, tara''s 10:15'
\echo 'unlike beats her 10:05 like, omar''s 10:30 unlike beats his 10:21 like:'
SELECT likeset_count(a | b) AS likes, array(SELECT likeset_elements(a | b)) AS liked_by
FROM ab;
DO $$ BEGIN ASSERT (SELECT likeset_count(a | b) = 1
                        AND array(SELECT likeset_elements(a | b)) = '{tahir}' FROM ab),
	'the merged state should be liked by tahir only'; END $$;
\echo 'The aggregate likeset_merge_agg merges any number of states at once:'
SELECT likeset_merge_agg(likes) AS merged,
	likeset_merge_agg(likes) = (SELECT a | b FROM ab) AS "same as A | B"
FROM replicas;
DO $$ BEGIN ASSERT (SELECT likeset_merge_agg(likes) FROM replicas) = (SELECT a | b FROM ab),
	'likeset_merge_agg should give A | B'; END $$;
\echo 'An operation without a timestamp (likes + user, likes - user) takes the'
\echo 'current time, or 1 microsecond after the latest time in the set if the'
\echo 'clock is behind, so a change made after seeing a state always wins:'
SELECT (a | b) + 'omar' @> 'omar' AS "omar likes again",
	(a | b) - 'tahir' @> 'tahir' AS "tahir still likes after unliking"
FROM ab;
DO $$ BEGIN ASSERT (SELECT ((a | b) + 'omar') @> 'omar' AND NOT ((a | b) - 'tahir') @> 'tahir'
                    FROM ab),
	'an operation without a timestamp should win over the state it saw'; END $$;

\echo '=== 5. Convergence ==='
\echo
\echo 'Both nodes apply the merge:'
UPDATE replicas SET likes = (SELECT likeset_merge_agg(likes) FROM replicas);
DO $$ BEGIN ASSERT (SELECT count(DISTINCT likes) FROM replicas) = 1,
	'after merging, all replicas should hold the same state'; END $$;
SELECT node, likeset_count(likes) AS likes,
	array(SELECT likeset_elements(likes)) AS liked_by, likes AS state
FROM replicas ORDER BY node;
\pset tuples_only on
\pset format unaligned
WITH s AS (SELECT count(*) AS nodes, count(DISTINCT likes) AS states,
                  likeset_merge_agg(likes) AS likes FROM replicas)
SELECT format('all replicas agree: %s nodes, %s state, page 1 has %s like (%s)',
	nodes, states, likeset_count(likes),
	array_to_string(array(SELECT likeset_elements(likes)), ', '))
FROM s;
