--
-- Text and binary input/output of likeset
--

-- Fixed settings for this file; sections below change them on purpose
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET extra_float_digits = 0;

--
-- Text input and canonical output
--

-- The empty set, with and without inner whitespace
SELECT '{}'::likeset AS a, '{ }'::likeset AS b, E'\t{\n}\n'::likeset AS c,
       '{ }'::likeset = '{}' AS same;

-- Bare literals: present at the lowest timestamp, printed without '@'
SELECT '{tahir,tara}'::likeset AS bare, likeset_count('{tahir,tara}') AS n;
SELECT element, ts, removed FROM likeset_entries('{tahir,tara}');

-- Tombstones: a leading '-', counted as absent
SELECT '{-gone,kept}'::likeset AS s, likeset_count('{-gone,kept}') AS n,
       likeset_contains('{-gone,kept}', 'gone') AS has_gone,
       likeset_contains('{-gone,kept}', 'kept') AS has_kept;

-- Timestamps: 'T' or space, 'Z' or a numeric offset in every accepted form;
-- output is always UTC with 'Z'
SELECT s::likeset AS canonical
FROM (VALUES
  ('{a@2026-11-28T10:00:00Z}'),
  ('{a@2026-11-28 10:00:00Z}'),
  ('{a@2026-11-28 10:00:00 Z}'),
  ('{a@2026-11-28T12:00:00+02}'),
  ('{a@2026-11-28T12:00:00+02:00}'),
  ('{a@2026-11-28 12:00:00 +0200}'),
  ('{a@2026-11-28T04:30:00-05:30}'),
  ('{a@2026-11-28T04:30:00-0530}'),
  ('{a@2026-11-29T00:00:00+14}'),
  ('{a@2026-11-27T22:00:00-12}'),
  ('{a@2026-11-28T15:45:00+05:45}')
) v(s);

-- Offsets that cross midnight, month, year and leap-day boundaries
SELECT '{a@2026-01-01T01:00:00+02}'::likeset AS year_back,
       '{a@2024-02-28T23:30:00-01:00}'::likeset AS leap_day,
       '{a@2023-02-28T23:30:00-01:00}'::likeset AS no_leap_day;

-- Fractional seconds: up to 6 digits, trailing zeros trimmed on output
SELECT s AS input, s::likeset AS canonical
FROM (VALUES
  ('{a@2026-11-28T10:00:00.5Z}'),
  ('{a@2026-11-28T10:00:00.500000Z}'),
  ('{a@2026-11-28T10:00:00.000000Z}'),
  ('{a@2026-11-28T10:00:00.10Z}'),
  ('{a@2026-11-28T10:00:00.000010Z}'),
  ('{a@2026-11-28T10:00:00.123456Z}'),
  ('{a@2026-11-28T10:00:00.000001Z}'),
  ('{a@2026-11-28T10:00:00.999999+01}')
) v(s);

-- BC and far-future timestamps (year 0 is 1 BC); the lowest timestamp is
-- the bare form, one microsecond later is not
SELECT s AS input, s::likeset AS canonical
FROM (VALUES
  ('{a@-4713-11-24T00:00:00Z}'),
  ('{a@-4713-11-24T00:00:00.000001Z}'),
  ('{a@-4713-11-24T01:00:00+01}'),
  ('{a@-0044-03-15T12:00:00Z}'),
  ('{a@0000-12-31T23:59:59Z}'),
  ('{a@0001-01-01T00:00:00Z}'),
  ('{a@9999-12-31T23:59:59.999999Z}'),
  ('{a@10000-01-01T00:00:00Z}'),
  ('{a@+10000-01-01T00:00:00Z}'),
  ('{a@+294276-12-31T23:59:59.999999Z}')
) v(s);

-- The same instants as PostgreSQL's timestamptz sees them
SELECT element, ts, removed
FROM likeset_entries('{a@-4713-11-24T00:00:00.000001Z,b@-0044-03-15T12:00:00Z,c@0000-12-31T23:59:59Z,d@+294276-12-31T23:59:59.999999Z,e@10000-01-01T00:00:00Z}');
-- and the lowest one of a bare item, and a bare tombstone
SELECT element, ts, removed FROM likeset_entries('{x,-y}');
SELECT ts = '4714-11-24 00:00:00+00 BC'::timestamptz AS lowest
FROM likeset_entries('{x}');

-- Duplicate elements are merged: the greater operation wins (by timestamp,
-- a remove beating an add at an equal one), whatever the order in the input
SELECT s AS input, s::likeset AS canonical
FROM (VALUES
  ('{a,a,a}'),
  ('{a@2020-01-01T00:00:00Z,a@2019-01-01T00:00:00Z}'),
  ('{a@2019-01-01T00:00:00Z,a@2020-01-01T00:00:00Z}'),
  ('{-a@2019-01-01T00:00:00Z,a@2020-01-01T00:00:00Z}'),
  ('{a@2020-01-01T00:00:00Z,-a@2019-01-01T00:00:00Z}'),
  ('{a@2020-01-01T00:00:00Z,-a@2020-01-01T00:00:00Z}'),
  ('{-a@2020-01-01T00:00:00Z,a@2020-01-01T00:00:00Z}'),
  ('{a@2020-01-01T02:00:00+02,-a@2019-12-31T23:59:59.999999Z}'),
  ('{-a,a}'),
  ('{a,-a,b,-b@2000-01-01T00:00:00Z,b@2000-01-01T00:00:00Z}')
) v(s);

-- Whitespace around items, commas and '@', inside and outside the braces
SELECT E' {  a , b\t,\n-c @ 2026-11-28T10:00:00Z ,d@ 2026-11-28 10:00:00 +01:00 , e @2026-11-28T10:00:00Z\r\n}  '::likeset AS s;
SELECT E' {  a , b\t,\n-c @ 2026-11-28T10:00:00Z ,d@ 2026-11-28 10:00:00 +01:00 , e @2026-11-28T10:00:00Z\r\n}  '::likeset
     = '{a,b,-c@2026-11-28T10:00:00Z,d@2026-11-28T09:00:00Z,e@2026-11-28T10:00:00Z}' AS same;

-- Canonical order is byte order, never the collation: 'B' before 'a',
-- '-x' (0x2d) before digits, '~' before any non-ASCII, 'é' after 'z'
SELECT '{z,é,a,B,~,"-x",_,Z,0,A,b,"ä","日本"}'::likeset AS s;
SELECT array_agg(e) AS elements FROM likeset_elements('{z,é,a,B,~,"-x",_,Z,0,A,b,"ä","日本"}') e;
SELECT array_agg(element) AS entries FROM likeset_entries('{z,é,-a,B,~}');
-- and a prefix sorts before its extensions
SELECT '{abc,ab,abd,a,"ab "}'::likeset AS s;

--
-- Quoting of awkward elements: each one, alone and in company, comes back
-- from its text unchanged.  Control characters are shown as <TAB>, <LF>,
-- <CR>, <DEL> in the display column only.
--
CREATE TABLE io_awkward (id int PRIMARY KEY, e text NOT NULL);
INSERT INTO io_awkward VALUES
  (1, 'plain'),
  (2, 'a,b'),
  (3, '"'),
  (4, 'say "hi"'),
  (5, '\'),
  (6, 'back\slash\'),
  (7, '{'),
  (8, '}'),
  (9, '{x}'),
  (10, 'two words'),
  (11, ' '),
  (12, '@'),
  (13, 'user@example.com'),
  (14, '-'),
  (15, '-lead'),
  (16, '--'),
  (17, 'trail-'),
  (18, ''),
  (19, 'é'),
  (20, '日本語'),
  (21, '😀'),
  (22, E'tab\there'),
  (23, E'new\nline'),
  (24, E'cr\r'),
  (25, E'del\x7f'),
  (26, 'NULL'),
  (27, '\"{,}@ -'),
  (28, ' leading and trailing ');

SELECT id,
       replace(replace(replace(replace(e, E'\t', '<TAB>'), E'\n', '<LF>'),
                       E'\r', '<CR>'), E'\x7f', '<DEL>') AS element,
       replace(replace(replace(replace(s::text, E'\t', '<TAB>'), E'\n', '<LF>'),
                       E'\r', '<CR>'), E'\x7f', '<DEL>') AS text,
       s::text::likeset = s AS round_trip,
       (SELECT array_agg(x) FROM likeset_elements(s::text::likeset) x) = ARRAY[e]
         AS same_element
FROM (SELECT id, e, likeset_add('{}', e, '2026-11-28 10:00:00+00') AS s
      FROM io_awkward) q
ORDER BY id;

-- The same elements as tombstones (the '-' goes outside the quotes)
SELECT id, s::text AS text, s::text::likeset = s AS round_trip,
       likeset_count(s::text::likeset) AS n
FROM (SELECT id, likeset_remove('{}', e, '2026-11-28 10:00:00+00') AS s
      FROM io_awkward) q
WHERE id IN (1, 2, 5, 15, 18, 19)
ORDER BY id;

-- All of them in one set
SELECT likeset_count(s) AS n,
       s::text::likeset = s AS round_trip,
       (SELECT array_agg(x ORDER BY x COLLATE "C") FROM likeset_elements(s::text::likeset) x)
         = (SELECT array_agg(e ORDER BY e COLLATE "C") FROM io_awkward) AS same_elements,
       (SELECT array_agg(x) FROM likeset_elements(s) x)
         = (SELECT array_agg(e ORDER BY e COLLATE "C") FROM io_awkward) AS byte_order
FROM (SELECT likeset_agg(e, '2026-11-28 10:00:00+00') AS s FROM io_awkward) q;

-- Quoted input need not be canonical: needless quotes and escapes go away
SELECT '{"plain","\a\b\c","x\"y"}'::likeset AS s;

--
-- The text form does not depend on DateStyle or TimeZone
--
CREATE TABLE io_vals (id int PRIMARY KEY, s likeset NOT NULL);
INSERT INTO io_vals VALUES
  (1, '{}'),
  (2, '{tahir,tara}'),
  (3, '{a@2026-11-28T10:00:00.5Z,-b@2026-11-28 12:00:00+02,c@2026-03-08T06:59:59.999999Z}'),
  (4, '{a@-0044-03-15T12:00:00Z,b@+294276-12-31T23:59:59.999999Z,-c}'),
  (5, '{x@2026-07-01T00:00:00-04:00,y@2026-01-01T05:30:00+05:30,z@2026-01-01T00:00:00+14}');
CREATE TABLE io_ref AS SELECT id, s::text AS t FROM io_vals;
SELECT id, t FROM io_ref ORDER BY id;

-- A literal with explicit offsets, read and printed under each setting
SET DateStyle = 'ISO, MDY';
SET TimeZone = 'UTC';
SELECT '{a@2026-07-01 12:00:00-04:00,b@2026-01-01T05:30:00+05:30}'::likeset AS s,
       (SELECT count(*) FROM io_vals v JOIN io_ref r USING (id)
        WHERE v.s::text <> r.t OR r.t::likeset <> v.s) AS differing;
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'America/New_York';
SELECT '{a@2026-07-01 12:00:00-04:00,b@2026-01-01T05:30:00+05:30}'::likeset AS s,
       (SELECT count(*) FROM io_vals v JOIN io_ref r USING (id)
        WHERE v.s::text <> r.t OR r.t::likeset <> v.s) AS differing;
SET DateStyle = 'SQL, MDY';
SET TimeZone = 'Asia/Kolkata';
SELECT '{a@2026-07-01 12:00:00-04:00,b@2026-01-01T05:30:00+05:30}'::likeset AS s,
       (SELECT count(*) FROM io_vals v JOIN io_ref r USING (id)
        WHERE v.s::text <> r.t OR r.t::likeset <> v.s) AS differing;
SET DateStyle = 'German';
SET TimeZone = '+14';
SELECT '{a@2026-07-01 12:00:00-04:00,b@2026-01-01T05:30:00+05:30}'::likeset AS s,
       (SELECT count(*) FROM io_vals v JOIN io_ref r USING (id)
        WHERE v.s::text <> r.t OR r.t::likeset <> v.s) AS differing;
SET DateStyle = 'Postgres, DMY';
SET TimeZone = 'America/New_York';
SELECT '{a@2026-07-01 12:00:00-04:00,b@2026-01-01T05:30:00+05:30}'::likeset AS s,
       (SELECT count(*) FROM io_vals v JOIN io_ref r USING (id)
        WHERE v.s::text <> r.t OR r.t::likeset <> v.s) AS differing;
SET DateStyle = 'Postgres, MDY';
SET TimeZone = 'Asia/Kolkata';
SELECT '{a@2026-07-01 12:00:00-04:00,b@2026-01-01T05:30:00+05:30}'::likeset AS s,
       (SELECT count(*) FROM io_vals v JOIN io_ref r USING (id)
        WHERE v.s::text <> r.t OR r.t::likeset <> v.s) AS differing;
-- Even an ambiguous day/month order in the literal is not DateStyle's to
-- decide: the likeset form is always year-month-day
SET DateStyle = 'SQL, DMY';
SELECT '{a@2026-02-03T00:00:00Z}'::likeset AS s;
SET DateStyle = 'SQL, MDY';
SELECT '{a@2026-02-03T00:00:00Z}'::likeset AS s;

-- Timestamps given as timestamptz with an explicit offset mean the same
-- instant whatever TimeZone says; without one they follow TimeZone
SET TimeZone = 'America/New_York';
CREATE TEMP TABLE io_tz AS
  SELECT 'new_york' AS zone,
         likeset_add('{}', 'a', '2026-07-01 12:00:00+00') AS with_offset,
         likeset_add('{}', 'a', '2026-07-01 12:00:00') AS local_time;
SET TimeZone = 'Asia/Kolkata';
INSERT INTO io_tz
  SELECT 'kolkata', likeset_add('{}', 'a', '2026-07-01 12:00:00+00'),
         likeset_add('{}', 'a', '2026-07-01 12:00:00');
SET TimeZone = 'UTC';
SELECT zone, with_offset, local_time FROM io_tz ORDER BY zone;

-- likeset_entries returns ts as timestamptz, which does follow TimeZone
-- and DateStyle
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SELECT element, ts, removed
FROM likeset_entries('{a@2026-07-01T12:00:00.25Z,-b@2026-01-01T00:00:00Z}');
SET TimeZone = 'Asia/Kolkata';
SELECT element, ts, removed
FROM likeset_entries('{a@2026-07-01T12:00:00.25Z,-b@2026-01-01T00:00:00Z}');
SET TimeZone = 'UTC';

--
-- Binary send/recv
--

-- The exact bytes of the binary form: version 01, int32 entry count, then
-- per entry int64 timestamp (microseconds since 2000-01-01 UTC), removed
-- flag, int32 length and the element bytes, all in network order
SELECT likeset_send('{}') AS empty;
SELECT likeset_send('{a@2000-01-01T00:00:00Z}') AS one;
SELECT likeset_send('{-a@2000-01-01T00:00:00.000001Z,"é"}') AS two;
-- a value that records a compaction horizon: version 02, then the int64 horizon
SELECT likeset_send('@2000-01-01T00:00:00.000001Z{a@2000-01-01T00:00:00Z}') AS with_horizon;

-- Binary COPY of varied values, out to a file and back into another table
CREATE TABLE io_bin (id int PRIMARY KEY, s likeset);
INSERT INTO io_bin VALUES
  (1, '{}'),
  (2, '{tahir,tara}'),
  (3, '{-gone@2026-11-28T10:00:00Z,kept@2026-11-28T10:00:00.000001Z}'),
  (4, '{a@-4713-11-24T00:00:00.000001Z,b@+294276-12-31T23:59:59.999999Z,-c}'),
  (5, NULL),
  (6, (SELECT likeset_agg(e, '2026-11-28 10:00:00+00') FROM io_awkward)),
  (7, (SELECT likeset_agg(e) FROM io_awkward)),
  (8, (SELECT likeset_remove(likeset_agg(e, '2026-11-28 10:00:00+00'), 'a,b',
                             '2026-11-28 10:00:00+00') FROM io_awkward)),
  (9, (SELECT likeset_agg('e' || i, '2026-01-01 00:00:00+00'::timestamptz + i * interval '1 second')
       FROM generate_series(1, 1000) i)),
  (10, likeset_compact('{a@2026-01-01T00:00:00Z,-b@2026-02-01T00:00:00Z,-c@2026-06-01T00:00:00Z}',
                       '2026-03-01 00:00:00+00')),
  (11, '@2026-01-01T00:00:00Z{}');
-- a file in the server's data directory: private to this instance and
-- writable by the server whatever user runs it
SELECT current_setting('data_directory') || '/likeset_io_copy.bin' AS copyfile \gset
COPY io_bin TO :'copyfile' WITH (FORMAT binary);
CREATE TABLE io_bin2 (id int PRIMARY KEY, s likeset);
COPY io_bin2 FROM :'copyfile' WITH (FORMAT binary);
SELECT a.id, likeset_count(b.s) AS n,
       a.s = b.s AS equal, a.s::text = b.s::text AS same_text,
       b.s IS NULL AS is_null
FROM io_bin a JOIN io_bin2 b USING (id)
ORDER BY a.id;
SELECT (SELECT count(*) FROM io_bin) AS rows_out, (SELECT count(*) FROM io_bin2) AS rows_in;

-- send and recv agree on the same bytes: a binary COPY of the copy gives
-- an identical file
CREATE TABLE io_bin3 (id int PRIMARY KEY, s likeset);
COPY io_bin2 TO :'copyfile' WITH (FORMAT binary);
COPY io_bin3 FROM :'copyfile' WITH (FORMAT binary);
SELECT count(*) AS differing
FROM io_bin a JOIN io_bin3 b USING (id)
WHERE a.s IS DISTINCT FROM b.s
   OR likeset_send(a.s) IS DISTINCT FROM likeset_send(b.s);

--
-- pg_dump-style round trip: text out, text in, equal (tombstones and
-- timestamps included), and a plain-text COPY does the same
--
SELECT id, s::text::likeset = s AS round_trip
FROM io_bin WHERE s IS NOT NULL ORDER BY id;
CREATE TABLE io_txt (id int PRIMARY KEY, t text);
INSERT INTO io_txt SELECT id, s::text FROM io_bin;
CREATE TABLE io_txt2 (id int PRIMARY KEY, s likeset);
INSERT INTO io_txt2 SELECT id, t::likeset FROM io_txt;
SELECT count(*) AS differing
FROM io_bin a JOIN io_txt2 b USING (id)
WHERE a.s IS DISTINCT FROM b.s;
COPY io_bin TO :'copyfile';
CREATE TABLE io_txt3 (id int PRIMARY KEY, s likeset);
COPY io_txt3 FROM :'copyfile';
SELECT count(*) FILTER (WHERE a.s IS DISTINCT FROM b.s) AS differing,
       count(b.id) AS matched
FROM io_bin a LEFT JOIN io_txt3 b USING (id);

DROP TABLE io_awkward, io_vals, io_ref, io_bin, io_bin2, io_bin3, io_txt, io_txt2, io_txt3;
RESET DateStyle;
RESET TimeZone;
RESET extra_float_digits;
