-- bench/merge_load.sql: 100 replica states of 10,000 entries each, in schema merge.
-- psql -v replicas=100 -v entries=10000 -v universe=200000 -f bench/merge_load.sql
--
-- Replica r holds :entries distinct users drawn at random from a universe of
-- :universe ('user100000' ...), so each user is on about
-- replicas * entries / universe replicas; each entry has a random time in
-- January 2026 and is a tombstone (an unlike) with probability 0.1.  The
-- same entries are stored three ways: normalized rows, one likeset per
-- replica, and one jsonb pair {user: ts} of likes and unlikes per replica.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET work_mem = '256MB';
DROP SCHEMA IF EXISTS merge CASCADE;
CREATE SCHEMA merge;
SET search_path = merge, public;
SELECT setseed(0.5) \gset

CREATE TABLE norm_states (
	replica int NOT NULL,
	user_id text NOT NULL,
	ts timestamptz NOT NULL,
	removed boolean NOT NULL
);
INSERT INTO norm_states
	SELECT r, 'user' || (100000 + d.u),
		   timestamptz '2026-01-01 00:00:00+00' + random() * interval '31 days',
		   random() < 0.1
	FROM generate_series(1, :replicas) r,
	LATERAL (SELECT u
			 FROM (SELECT DISTINCT floor(random() * :universe)::int AS u
				   FROM generate_series(1, :entries * 6 / 5) WHERE r > 0) s
			 ORDER BY random() LIMIT :entries) d;

-- one likeset per replica, tombstones included (through the text form:
-- likeset_agg has no removed flag)
CREATE TABLE ls_states (replica int PRIMARY KEY, s likeset NOT NULL);
INSERT INTO ls_states
	SELECT replica,
		   ('{' || string_agg(CASE WHEN removed THEN '-' ELSE '' END || user_id || '@' ||
							  (ts AT TIME ZONE 'UTC')::text || 'Z', ',') ||
			'}')::likeset
	FROM norm_states GROUP BY replica;

CREATE TABLE jsonb_states (replica int PRIMARY KEY, likes jsonb NOT NULL, unlikes jsonb NOT NULL);
INSERT INTO jsonb_states
	SELECT replica,
		   coalesce(jsonb_object_agg(user_id, ts) FILTER (WHERE NOT removed), '{}'),
		   coalesce(jsonb_object_agg(user_id, ts) FILTER (WHERE removed), '{}')
	FROM norm_states GROUP BY replica;

VACUUM ANALYZE norm_states, ls_states, jsonb_states;

SET bench.entries = :entries;
DO $$
DECLARE
	bad int;
BEGIN
	SELECT count(*) INTO bad FROM ls_states l JOIN jsonb_states j USING (replica)
	WHERE (SELECT count(*) FROM likeset_entries(l.s)) <> current_setting('bench.entries')::int
	   OR likeset_count(l.s) <> (SELECT count(*) FROM jsonb_object_keys(j.likes));
	IF bad <> 0 THEN
		RAISE EXCEPTION 'merge_load: % replicas disagree', bad;
	END IF;
END
$$;
