--
-- Casts: likeset -> text[] (present elements, byte order), likeset -> jsonb
-- ({element: add time in the fixed UTC form}), text[] -> likeset (elements
-- present at the lowest timestamp, like a bare literal).  All explicit.
--
\set SHOW_CONTEXT never

-- Runs a statement and returns its SQLSTATE, or 'ok'
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;

-- the casts and their functions; 'e': explicit only
SELECT castsource::regtype, casttarget::regtype, castfunc::regproc, castcontext
FROM pg_cast
WHERE castsource = 'likeset'::regtype OR casttarget = 'likeset'::regtype
ORDER BY 1::text, 2::text;

-- likeset -> text[]: present elements only, in byte order ('B' < 'a' < 'é')
SELECT '{b@2026-11-28T10:00:00Z,-gone@2026-11-28T10:00:00Z,a,B,"é","","x y","q\""}'::likeset::text[];
SELECT '{}'::likeset::text[] AS empty, '{-a@2026-01-01T00:00:00Z}'::likeset::text[] AS only_tombstones,
       cardinality('{-a@2026-01-01T00:00:00Z}'::likeset::text[]) AS n;
SELECT likeset_to_array('{a,b}') = '{a,b}'::likeset::text[] AS same_as_function;

-- likeset -> jsonb: present elements and the times of their adds, in the
-- text form's fixed UTC notation (the lowest timestamp for bare elements)
SELECT '{tara@2026-11-28T10:00:00.5Z,-tahir@2026-11-28T10:05:00Z,legacy_user,"é"@2026-11-28T12:00:00+02,"q\""@2026-11-28T10:00:00.000001Z}'::likeset::jsonb;
SELECT '{}'::likeset::jsonb AS empty, '{-a@2026-01-01T00:00:00Z}'::likeset::jsonb AS only_tombstones;
SELECT jsonb_typeof(j), j ->> 'tara' AS tara_ts, (j ->> 'tara')::timestamptz = '2026-11-28 10:00:00.5+00' AS parses_back
FROM (SELECT '{tara@2026-11-28T10:00:00.5Z}'::likeset::jsonb AS j) AS x;
-- the same whatever DateStyle and TimeZone say
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Pacific/Chatham';
SELECT '{tara@2026-11-28T10:00:00.5Z,"é"@2026-11-28T12:00:00+02,"y2k"@1999-12-31T23:59:59.999999Z}'::likeset::jsonb;
RESET DateStyle;
RESET TimeZone;
-- the jsonb holds exactly the present elements
SELECT (SELECT array_agg(k ORDER BY k COLLATE "C") FROM jsonb_object_keys(s::jsonb) AS k) = s::text[] AS keys_are_elements
FROM (SELECT '{b,a,-c@2026-01-01T00:00:00Z,"é",""}'::likeset AS s) AS x;

-- text[] -> likeset: present at the lowest timestamp, as a bare literal;
-- repeats merged, any order
SELECT ARRAY['tara', 'tahir', 'tara', '', 'é', 'x y', 'q"']::likeset;
SELECT ARRAY['b', 'a']::likeset = '{a,b}'::likeset AS same_as_literal,
       ARRAY['b', 'a', 'b']::likeset = likeset_agg(e) AS same_as_agg
FROM unnest(ARRAY['a', 'b']) AS e;
SELECT '{}'::text[]::likeset AS empty, likeset_nentries('{}'::text[]::likeset) AS n;
-- every element of a multi-dimensional array is taken
SELECT '{{a,b},{c,a}}'::text[]::likeset AS two_dimensions;
-- any real operation supersedes an element from an array
SELECT likeset_remove(ARRAY['a', 'b']::likeset, 'a', '2026-01-01Z') | ARRAY['a']::likeset AS removed_stays_removed;
-- round trips: the present elements survive; times become the lowest
SELECT s::text[]::likeset AS bare, s::text[]::likeset::text[] = s::text[] AS same_elements
FROM (SELECT '{b@2026-11-28T10:00:00Z,-gone@2026-11-28T10:00:00Z,a}'::likeset AS s) AS x;
SELECT count(*) AS n, (SELECT array_agg('u' || g ORDER BY ('u' || g) COLLATE "C") FROM generate_series(1, 10000) AS g)
	   = (SELECT array_agg('u' || g)::likeset::text[] FROM generate_series(1, 10000) AS g) AS big_round_trip
FROM generate_series(1, 10000);

-- errors: a NULL element (22004), an element too long (54000)
SELECT ARRAY['a', NULL, 'b']::likeset;
SELECT ARRAY['a', repeat('x', 4097)]::likeset;
SELECT pg_temp.sqlstate_of($$SELECT ARRAY[NULL]::text[]::likeset$$) AS null_element,
       pg_temp.sqlstate_of($$SELECT ARRAY[repeat('x', 4097)]::likeset$$) AS too_long,
       pg_temp.sqlstate_of($$SELECT ARRAY[repeat('x', 4096)]::likeset$$) AS longest_allowed;
-- NULL arrays and NULL values give NULL
SELECT NULL::text[]::likeset IS NULL AS a, NULL::likeset::text[] IS NULL AS b, NULL::likeset::jsonb IS NULL AS c;

-- explicit only: no assignment or implicit conversion
CREATE TEMP TABLE castt (likes likeset, arr text[], j jsonb);
SELECT pg_temp.sqlstate_of($$INSERT INTO castt (likes) VALUES (ARRAY['a'])$$) AS array_to_column,
       pg_temp.sqlstate_of($$INSERT INTO castt (arr) VALUES ('{a}'::likeset)$$) AS likeset_to_array_column,
       pg_temp.sqlstate_of($$INSERT INTO castt (j) VALUES ('{a}'::likeset)$$) AS likeset_to_jsonb_column,
       pg_temp.sqlstate_of($$SELECT likeset_count(ARRAY['a'])$$) AS implicit_in_call;
INSERT INTO castt VALUES (ARRAY['a', 'b']::likeset, '{a@2026-01-01T00:00:00Z}'::likeset::text[],
						  '{a@2026-01-01T00:00:00Z}'::likeset::jsonb);
SELECT * FROM castt;
