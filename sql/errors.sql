--
-- Error cases: each with its message, detail and SQLSTATE.  The server
-- must answer every one with an error and stay up.
--
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';

-- Runs a statement and returns its SQLSTATE, or 'ok'
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;

--
-- Malformed text: 22P02, with a detail naming the 1-based byte position
--
SELECT 'a,b'::likeset;
SELECT ''::likeset;
SELECT '  '::likeset;
SELECT '{a,b'::likeset;
SELECT '{'::likeset;
SELECT '{a}x'::likeset;
SELECT '{a} }'::likeset;
SELECT '{}{}'::likeset;
SELECT '{"abc}'::likeset;
SELECT '{"abc\'::likeset;
SELECT '{--b}'::likeset;
SELECT '{a,-}'::likeset;
SELECT '{- a}'::likeset;
SELECT '{a,,b}'::likeset;
SELECT '{,a}'::likeset;
SELECT '{a,}'::likeset;
SELECT '{a b}'::likeset;
SELECT '{"a"b}'::likeset;
SELECT '{a"b"}'::likeset;
SELECT '{{a}}'::likeset;
SELECT '{a\b}'::likeset;
SELECT '{a@}'::likeset;
SELECT '{a@ ,b}'::likeset;
SELECT '{a@2026-13-01T00:00:00Z}'::likeset;
SELECT '{a@2026-00-10T00:00:00Z}'::likeset;
SELECT '{a@2026-02-30T00:00:00Z}'::likeset;
SELECT '{a@2026-04-31T00:00:00Z}'::likeset;
SELECT '{a@2025-02-29T00:00:00Z}'::likeset;
SELECT '{a@1900-02-29T00:00:00Z}'::likeset;
SELECT '{a@2026-01-00T00:00:00Z}'::likeset;
SELECT '{a@2026-01-01T25:00:00Z}'::likeset;
SELECT '{a@2026-01-01T24:00:00Z}'::likeset;
SELECT '{a@2026-01-01T23:60:00Z}'::likeset;
SELECT '{a@2026-12-31T23:59:60Z}'::likeset;
SELECT '{a@2026-01-01T00:00:00.1234567Z}'::likeset;
SELECT '{a@2026-01-01T00:00:00.Z}'::likeset;
SELECT '{a@2026-01-01T00:00:00}'::likeset;
SELECT '{a@2026-01-01 00:00:00}'::likeset;
SELECT '{a@2026-01-01T00:00:00z}'::likeset;
SELECT '{a@2026-01-01t00:00:00Z}'::likeset;
SELECT '{a@2026-01-01T00:00:00UTC}'::likeset;
SELECT '{a@2026-01-01T00:00:00+16}'::likeset;
SELECT '{a@2026-01-01T00:00:00+05:60}'::likeset;
SELECT '{a@2026-01-01T00:00:00+5}'::likeset;
SELECT '{a@2026-01-01T00:00:00Z@2026-01-01T00:00:00Z}'::likeset;
SELECT '{a@@2026-01-01T00:00:00Z}'::likeset;
SELECT '{a@26-01-01T00:00:00Z}'::likeset;
SELECT '{a@2026-1-01T00:00:00Z}'::likeset;
SELECT '{a@2026-01-01T0:00:00Z}'::likeset;
SELECT '{a@2026-01-01}'::likeset;
SELECT '{a@now}'::likeset;
SELECT '{a@infinity}'::likeset;
SELECT '{a@294277-01-01T00:00:00Z}'::likeset;
SELECT '{a@+294276-12-31T23:59:59.999999-01}'::likeset;
SELECT '{a@-4713-11-23T23:59:59.999999Z}'::likeset;
SELECT '{a@-4713-11-24T00:00:00+01}'::likeset;
SELECT '{a@12345678-01-01T00:00:00Z}'::likeset;
SELECT '{ok@2026-01-01T00:00:00Z,bad@2026-02-30T00:00:00Z}'::likeset;

-- The same inputs, with their SQLSTATEs (and valid neighbours for contrast)
SELECT input, pg_temp.sqlstate_of(format('SELECT %L::likeset', input)) AS sqlstate
FROM (VALUES
  ('a,b'), (''), ('  '), ('{a,b'), ('{'), ('{a}x'), ('{a} }'), ('{}{}'),
  ('{"abc}'), ('{"abc\'), ('{--b}'), ('{a,-}'), ('{- a}'), ('{a,,b}'),
  ('{,a}'), ('{a,}'), ('{a b}'), ('{"a"b}'), ('{a"b"}'), ('{{a}}'), ('{a\b}'),
  ('{a@}'), ('{a@ ,b}'),
  ('{a@2026-13-01T00:00:00Z}'), ('{a@2026-00-10T00:00:00Z}'),
  ('{a@2026-02-30T00:00:00Z}'), ('{a@2026-04-31T00:00:00Z}'),
  ('{a@2025-02-29T00:00:00Z}'), ('{a@1900-02-29T00:00:00Z}'),
  ('{a@2026-01-00T00:00:00Z}'), ('{a@2026-01-01T25:00:00Z}'),
  ('{a@2026-01-01T24:00:00Z}'), ('{a@2026-01-01T23:60:00Z}'),
  ('{a@2026-12-31T23:59:60Z}'), ('{a@2026-01-01T00:00:00.1234567Z}'),
  ('{a@2026-01-01T00:00:00.Z}'), ('{a@2026-01-01T00:00:00}'),
  ('{a@2026-01-01 00:00:00}'), ('{a@2026-01-01T00:00:00z}'),
  ('{a@2026-01-01t00:00:00Z}'), ('{a@2026-01-01T00:00:00UTC}'),
  ('{a@2026-01-01T00:00:00+16}'), ('{a@2026-01-01T00:00:00+05:60}'),
  ('{a@2026-01-01T00:00:00+5}'),
  ('{a@2026-01-01T00:00:00Z@2026-01-01T00:00:00Z}'),
  ('{a@@2026-01-01T00:00:00Z}'), ('{a@26-01-01T00:00:00Z}'),
  ('{a@2026-1-01T00:00:00Z}'), ('{a@2026-01-01T0:00:00Z}'),
  ('{a@2026-01-01}'), ('{a@now}'), ('{a@infinity}'),
  ('{a@294277-01-01T00:00:00Z}'), ('{a@+294276-12-31T23:59:59.999999-01}'),
  ('{a@-4713-11-23T23:59:59.999999Z}'), ('{a@-4713-11-24T00:00:00+01}'),
  ('{a@12345678-01-01T00:00:00Z}'),
  ('{ok@2026-01-01T00:00:00Z,bad@2026-02-30T00:00:00Z}'),
  -- valid: these must say ok
  ('{}'), ('{a,"-b",-c}'), ('{a@2024-02-29T00:00:00Z}'),
  ('{a@2000-02-29T00:00:00Z}'), ('{a@2026-01-01T23:59:59.999999Z}'),
  ('{a@2026-01-01T00:00:00+15:59}'), ('{a@2026-01-01T00:00:00.123456Z}'),
  ('{a@+294276-12-31T23:59:59.999999Z}'), ('{a@-4713-11-24T00:00:00Z}'),
  ('{a@-4713-11-24T00:00:00-01}')
) v(input);

--
-- Limits: an element may be 4096 bytes (not characters); 4097 is 54000
--

-- text input
SELECT format('{%s}', repeat('x', 4097))::likeset;
SELECT format('{"%s"}', repeat('é', 2049))::likeset;
SELECT format('{"%s"}', repeat('\"', 4097))::likeset;
SELECT format('{a,-"%s"@2026-01-01T00:00:00Z}', repeat('y', 5000))::likeset;
SELECT likeset_count(format('{%s}', repeat('x', 4096))::likeset) AS n_4096,
       likeset_count(format('{"%s"}', repeat('é', 2048))::likeset) AS n_2048_e_acute,
       (SELECT length(e) FROM likeset_elements(format('{"%s"}', repeat('\"', 4096))::likeset) e)
         AS escaped_4096,
       format('{%s}', repeat('x', 4096))::likeset::text = format('{%s}', repeat('x', 4096))
         AS round_trip;

-- likeset_add and likeset_remove, with and without a timestamp
SELECT likeset_add('{}', repeat('x', 4097), '2026-01-01 00:00:00+00');
SELECT likeset_add('{}', repeat('x', 4097));
SELECT likeset_remove('{}', repeat('x', 4097), '2026-01-01 00:00:00+00');
SELECT likeset_remove('{a}', repeat('x', 4097));
SELECT '{}'::likeset + repeat('é', 2049);
SELECT likeset_count(likeset_add('{}', repeat('x', 4096), '2026-01-01 00:00:00+00')) AS add_4096,
       likeset_count(likeset_add('{}', repeat('x', 4096))) AS add_now_4096,
       likeset_count(likeset_add('{}', repeat('é', 2048))) AS add_2048_e_acute,
       likeset_contains(likeset_remove('{}', repeat('x', 4096), '2026-01-01 00:00:00+00'),
                        repeat('x', 4096)) AS removed_4096;

-- likeset_agg, with and without timestamps, also after good rows
SELECT likeset_agg(repeat('x', 4097));
SELECT likeset_agg(repeat('x', 4097), '2026-01-01 00:00:00+00');
SELECT likeset_agg(repeat('x', n)) FROM generate_series(4090, 4100) n;
SELECT likeset_count(likeset_agg(repeat('x', n))) AS agg_upto_4096,
       likeset_count(likeset_agg(repeat('x', n), '2026-01-01 00:00:00+00')) AS agg_ts_upto_4096
FROM generate_series(4090, 4096) n;

SELECT q, pg_temp.sqlstate_of(q) AS sqlstate
FROM (VALUES
  ($q$SELECT format('{%s}', repeat('x', 4097))::likeset$q$),
  ($q$SELECT format('{"%s"}', repeat('é', 2049))::likeset$q$),
  ($q$SELECT format('{"%s"}', repeat('\"', 4097))::likeset$q$),
  ($q$SELECT likeset_add('{}', repeat('x', 4097), '2026-01-01 00:00:00+00')$q$),
  ($q$SELECT likeset_add('{}', repeat('x', 4097))$q$),
  ($q$SELECT likeset_remove('{}', repeat('x', 4097), '2026-01-01 00:00:00+00')$q$),
  ($q$SELECT likeset_remove('{a}', repeat('x', 4097))$q$),
  ($q$SELECT likeset_agg(repeat('x', 4097))$q$),
  ($q$SELECT likeset_agg(repeat('x', 4097), '2026-01-01 00:00:00+00')$q$),
  ($q$SELECT format('{%s}', repeat('x', 4096))::likeset$q$),
  ($q$SELECT format('{"%s"}', repeat('é', 2048))::likeset$q$),
  ($q$SELECT likeset_add('{}', repeat('x', 4096), '2026-01-01 00:00:00+00')$q$),
  ($q$SELECT likeset_remove('{}', repeat('x', 4096))$q$),
  ($q$SELECT likeset_agg(repeat('x', 4096))$q$)
) v(q);

--
-- Timestamps must be finite and in range: 22008
--
SELECT likeset_add('{}', 'a', 'infinity');
SELECT likeset_add('{}', 'a', '-infinity');
SELECT likeset_remove('{a}', 'a', 'infinity');
SELECT likeset_remove('{a}', 'a', '-infinity');
SELECT likeset_agg('a', 'infinity'::timestamptz);
SELECT likeset_agg(e, t)
FROM (VALUES ('a', '2026-01-01 00:00:00+00'::timestamptz), ('b', '-infinity')) v(e, t);
-- an operation without a timestamp on a set already at the highest one
-- has no later timestamp to take
SELECT likeset_add('{a@+294276-12-31T23:59:59.999999Z}', 'b');
SELECT likeset_remove('{a@+294276-12-31T23:59:59.999999Z}', 'a');
-- the extremes themselves are fine
SELECT likeset_add('{}', 'a', '294276-12-31 23:59:59.999999+00') AS highest,
       likeset_remove('{}', 'a', '4714-11-24 00:00:00+00 BC') AS lowest;

SELECT q, pg_temp.sqlstate_of(q) AS sqlstate
FROM (VALUES
  ($q$SELECT likeset_add('{}', 'a', 'infinity')$q$),
  ($q$SELECT likeset_add('{}', 'a', '-infinity')$q$),
  ($q$SELECT likeset_remove('{a}', 'a', 'infinity')$q$),
  ($q$SELECT likeset_remove('{a}', 'a', '-infinity')$q$),
  ($q$SELECT likeset_agg('a', 'infinity'::timestamptz)$q$),
  ($q$SELECT likeset_agg('a', '-infinity'::timestamptz)$q$),
  ($q$SELECT likeset_add('{a@+294276-12-31T23:59:59.999999Z}', 'b')$q$),
  ($q$SELECT likeset_remove('{a@+294276-12-31T23:59:59.999999Z}', 'a')$q$),
  ($q$SELECT likeset_add('{}', 'a', '294276-12-31 23:59:59.999999+00')$q$)
) v(q);

-- likeset_compact accepts infinity as a horizon: 'infinity' drops every
-- tombstone, '-infinity' none (even one at the lowest timestamp)
SELECT likeset_compact('{a,-b,-c@2026-01-01T00:00:00Z,-d@+294276-12-31T23:59:59.999999Z}', 'infinity') AS all_dropped,
       likeset_compact('{a,-b,-c@2026-01-01T00:00:00Z,-d@+294276-12-31T23:59:59.999999Z}', '-infinity') AS none_dropped;

--
-- Corrupt binary input through likeset_recv: 22P03.  A binary COPY file is
-- written byte by byte with lo_from_bytea + lo_export, then read back with
-- COPY FROM ... (FORMAT binary) into a one-column table.
--
CREATE TABLE err_bin (s likeset);
-- a file in the server's data directory: private to this instance and
-- writable by the server whatever user runs it
SELECT current_setting('data_directory') || '/likeset_errors_copy.bin' AS copyfile \gset
SELECT set_config('likeset_test.copyfile', :'copyfile', false) IS NOT NULL AS ok;

-- Writes a binary COPY file holding one row whose only field is payload
CREATE PROCEDURE pg_temp.write_copy(payload bytea) LANGUAGE plpgsql AS $$
DECLARE
  lo oid;
BEGIN
  lo := lo_from_bytea(0,
          '\x5047434f50590aff0d0a00'::bytea      -- PGCOPY\n\377\r\n\0
          || '\x00000000'::bytea                 -- flags
          || '\x00000000'::bytea                 -- header extension length
          || '\x0001'::bytea                     -- one field
          || int4send(length(payload)) || payload
          || '\xffff'::bytea);                   -- trailer
  PERFORM lo_export(lo, current_setting('likeset_test.copyfile'));
  PERFORM lo_unlink(lo);
END $$;

-- The binary form's pieces: version byte and entry count, then entries
CREATE FUNCTION pg_temp.head(version int, n int) RETURNS bytea LANGUAGE sql AS
$$ SELECT set_byte('\x00'::bytea, 0, version) || int4send(n) $$;
CREATE FUNCTION pg_temp.entry(ts bigint, flag int, elem bytea) RETURNS bytea LANGUAGE sql AS
$$ SELECT int8send(ts) || set_byte('\x00'::bytea, 0, flag) || int4send(length(elem)) || elem $$;

-- Writes the file and loads it: the SQLSTATE, or 'ok'
CREATE FUNCTION pg_temp.recv_sqlstate(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  CALL pg_temp.write_copy(payload);
  EXECUTE format('COPY err_bin FROM %L WITH (FORMAT binary)',
                 current_setting('likeset_test.copyfile'));
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;

-- Controls: the helpers write what likeset_send writes, and it loads
SELECT pg_temp.head(1, 1) || pg_temp.entry(0, 0, 'a') = likeset_send('{a@2000-01-01T00:00:00Z}')
  AS same_bytes;
CALL pg_temp.write_copy(likeset_send('{a@2000-01-01T00:00:00Z,-"b c",""}'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 0));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 2)
                          || pg_temp.entry(-211813488000000000, 1, '')
                          || pg_temp.entry(9223371331199999999, 0, convert_to('é', 'UTF8')));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
SELECT s FROM err_bin;
TRUNCATE err_bin;

-- unknown version byte
CALL pg_temp.write_copy(pg_temp.head(2, 0));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(0, 1) || pg_temp.entry(0, 0, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- negative and huge entry counts, and a count the message cannot hold
CALL pg_temp.write_copy(pg_temp.head(1, -1));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 2147483647));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 16777217));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1000) || pg_temp.entry(0, 0, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- truncated: nothing at all, half a header, half an entry, half an element
CALL pg_temp.write_copy('\x'::bytea);
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy('\x010000'::bytea);
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'abcdefghijklmnopqrstuvwxyz')
                          || substr(pg_temp.entry(0, 0, 'b'), 1, 10));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1)
                          || substr(pg_temp.entry(0, 0, 'abcdefghijklmnop'), 1, 20));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- removed flag neither 0 nor 1
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(0, 2, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(0, 255, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- element length above 4096, and negative
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(0, 0, convert_to(repeat('x', 4097), 'UTF8')));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1) || int8send(0) || '\x00'::bytea || int4send(-1)
                          || '\x00000000000000000000000000'::bytea);
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- elements unsorted, duplicated, or sorted by something other than bytes
CALL pg_temp.write_copy(pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'b') || pg_temp.entry(0, 0, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'a') || pg_temp.entry(1, 1, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'ab') || pg_temp.entry(0, 0, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'a') || pg_temp.entry(0, 0, 'B'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- timestamps out of range: infinity, -infinity, one past either end
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(9223372036854775807, 0, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(-9223372036854775808, 0, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(9223371331200000000, 0, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(-211813488000000001, 1, 'a'));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- invalid UTF-8: a stray byte, a truncated sequence, an overlong NUL
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(0, 0, '\xff'::bytea));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(0, 0, '\x61c3'::bytea));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(0, 0, '\xc080'::bytea));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- a NUL byte inside an element
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(0, 0, '\x610062'::bytea));
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
-- trailing junk after the last entry, or after an empty set
CALL pg_temp.write_copy(pg_temp.head(1, 1) || pg_temp.entry(0, 0, 'a') || '\x00'::bytea);
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);
CALL pg_temp.write_copy(pg_temp.head(1, 0) || '\x0000000000000000000000000000'::bytea);
COPY err_bin FROM :'copyfile' WITH (FORMAT binary);

-- All of them with their SQLSTATEs; nothing was loaded
SELECT name, pg_temp.recv_sqlstate(payload) AS sqlstate
FROM (VALUES
  ('valid', pg_temp.head(1, 1) || pg_temp.entry(0, 0, 'a')),
  ('version 2', pg_temp.head(2, 0)),
  ('version 0', pg_temp.head(0, 1) || pg_temp.entry(0, 0, 'a')),
  ('count -1', pg_temp.head(1, -1)),
  ('count 2^31-1', pg_temp.head(1, 2147483647)),
  ('count 2^24+1', pg_temp.head(1, 16777217)),
  ('count 1000, one entry', pg_temp.head(1, 1000) || pg_temp.entry(0, 0, 'a')),
  ('empty', '\x'::bytea),
  ('half a header', '\x010000'::bytea),
  ('half an entry', pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'abcdefghijklmnopqrstuvwxyz')
                    || substr(pg_temp.entry(0, 0, 'b'), 1, 10)),
  ('half an element', pg_temp.head(1, 1)
                      || substr(pg_temp.entry(0, 0, 'abcdefghijklmnop'), 1, 20)),
  ('flag 2', pg_temp.head(1, 1) || pg_temp.entry(0, 2, 'a')),
  ('flag 255', pg_temp.head(1, 1) || pg_temp.entry(0, 255, 'a')),
  ('length 4097', pg_temp.head(1, 1) || pg_temp.entry(0, 0, convert_to(repeat('x', 4097), 'UTF8'))),
  ('length -1', pg_temp.head(1, 1) || int8send(0) || '\x00'::bytea || int4send(-1)
                || '\x00000000000000000000000000'::bytea),
  ('unsorted', pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'b') || pg_temp.entry(0, 0, 'a')),
  ('duplicate', pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'a') || pg_temp.entry(1, 1, 'a')),
  ('longer first', pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'ab') || pg_temp.entry(0, 0, 'a')),
  ('collation order', pg_temp.head(1, 2) || pg_temp.entry(0, 0, 'a') || pg_temp.entry(0, 0, 'B')),
  ('ts infinity', pg_temp.head(1, 1) || pg_temp.entry(9223372036854775807, 0, 'a')),
  ('ts -infinity', pg_temp.head(1, 1) || pg_temp.entry(-9223372036854775808, 0, 'a')),
  ('ts end', pg_temp.head(1, 1) || pg_temp.entry(9223371331200000000, 0, 'a')),
  ('ts before min', pg_temp.head(1, 1) || pg_temp.entry(-211813488000000001, 1, 'a')),
  ('utf8 stray byte', pg_temp.head(1, 1) || pg_temp.entry(0, 0, '\xff'::bytea)),
  ('utf8 truncated', pg_temp.head(1, 1) || pg_temp.entry(0, 0, '\x61c3'::bytea)),
  ('utf8 overlong', pg_temp.head(1, 1) || pg_temp.entry(0, 0, '\xc080'::bytea)),
  ('NUL byte', pg_temp.head(1, 1) || pg_temp.entry(0, 0, '\x610062'::bytea)),
  ('trailing junk', pg_temp.head(1, 1) || pg_temp.entry(0, 0, 'a') || '\x00'::bytea),
  ('junk after empty', pg_temp.head(1, 0) || '\x0000000000000000000000000000'::bytea)
) v(name, payload);
SELECT s FROM err_bin;
DROP TABLE err_bin;

--
-- NULL: every function is STRICT, so NULL in gives NULL out
--
SELECT likeset_add(NULL, 'a') IS NULL AS add_1,
       likeset_add('{}', NULL) IS NULL AS add_2,
       likeset_add(NULL, 'a', '2026-01-01 00:00:00+00') IS NULL AS add_ts_1,
       likeset_add('{}', NULL, '2026-01-01 00:00:00+00') IS NULL AS add_ts_2,
       likeset_add('{}', 'a', NULL) IS NULL AS add_ts_3,
       likeset_remove(NULL, 'a') IS NULL AS remove_1,
       likeset_remove('{a}', NULL) IS NULL AS remove_2,
       likeset_remove(NULL, 'a', '2026-01-01 00:00:00+00') IS NULL AS remove_ts_1,
       likeset_remove('{a}', NULL, '2026-01-01 00:00:00+00') IS NULL AS remove_ts_2,
       likeset_remove('{a}', 'a', NULL) IS NULL AS remove_ts_3;
SELECT likeset_merge(NULL, '{a}') IS NULL AS merge_1,
       likeset_merge('{a}', NULL) IS NULL AS merge_2,
       likeset_contains(NULL, 'a') IS NULL AS contains_1,
       likeset_contains('{a}', NULL) IS NULL AS contains_2,
       likeset_count(NULL) IS NULL AS count,
       likeset_compact(NULL, '2026-01-01 00:00:00+00') IS NULL AS compact_1,
       likeset_compact('{-a}', NULL) IS NULL AS compact_2,
       likeset_send(NULL) IS NULL AS send,
       NULL::likeset::text IS NULL AS out,
       NULL::text::likeset IS NULL AS in;
SELECT (NULL::likeset + 'a') IS NULL AS plus_1,
       ('{}'::likeset + NULL::text) IS NULL AS plus_2,
       (NULL::likeset - 'a') IS NULL AS minus_1,
       ('{a}'::likeset - NULL::text) IS NULL AS minus_2,
       (NULL::likeset | '{a}') IS NULL AS union_1,
       ('{a}'::likeset | NULL) IS NULL AS union_2,
       (NULL::likeset @> 'a') IS NULL AS contains_op_1,
       ('{a}'::likeset @> NULL) IS NULL AS contains_op_2,
       (NULL::likeset = '{}') IS NULL AS eq,
       ('{}'::likeset <> NULL) IS NULL AS ne,
       (NULL::likeset < '{}') IS NULL AS lt,
       likeset_cmp(NULL, '{}') IS NULL AS cmp,
       likeset_hash(NULL) IS NULL AS hash,
       likeset_hash_extended('{}', NULL) IS NULL AS hash_ext;
SELECT count(*) AS elements_of_null FROM likeset_elements(NULL);
SELECT count(*) AS entries_of_null FROM likeset_entries(NULL);

-- Aggregates skip NULL rows (a NULL element or a NULL timestamp) ...
SELECT likeset_agg(e) AS agg
FROM (VALUES ('b'), (NULL), ('a'), (NULL)) v(e);
SELECT likeset_agg(e, t) AS agg_ts
FROM (VALUES ('a', '2026-01-01 00:00:00+00'::timestamptz), (NULL, '2027-01-01 00:00:00+00'),
             ('b', NULL), ('c', '2026-06-01 00:00:00+00')) v(e, t);
SELECT likeset_merge_agg(s) AS merge_agg
FROM (VALUES ('{a@2026-01-01T00:00:00Z}'::likeset), (NULL), ('{-a@2026-02-01T00:00:00Z,b}'), (NULL)) v(s);
-- ... and return NULL over zero rows or only NULL rows
SELECT likeset_agg(e) IS NULL AS agg_no_rows,
       likeset_agg(e, now()) IS NULL AS agg_ts_no_rows
FROM (SELECT 'a'::text AS e WHERE false) v;
SELECT likeset_merge_agg(s) IS NULL AS merge_agg_no_rows
FROM (SELECT '{a}'::likeset AS s WHERE false) v;
SELECT likeset_agg(e) IS NULL AS agg_null_rows,
       likeset_agg(e, t) IS NULL AS agg_ts_null_rows,
       likeset_agg(e2, t) IS NULL AS agg_ts_null_ts
FROM (VALUES (NULL::text, NULL::timestamptz, 'x'::text), (NULL, NULL, 'y')) v(e, t, e2);
SELECT likeset_merge_agg(s) IS NULL AS merge_agg_null_rows
FROM (VALUES (NULL::likeset), (NULL)) v(s);
-- but a row holding the empty set is a value: the result is the empty set
SELECT likeset_merge_agg(s) AS merge_agg_of_empty
FROM (VALUES (NULL::likeset), ('{}'), (NULL)) v(s);
-- grouped: a group of only NULLs gives NULL, the others their sets
SELECT g, likeset_agg(e) AS agg, likeset_merge_agg(('{' || e || '}')::likeset) AS merge_agg
FROM (VALUES (1, 'a'), (1, NULL), (2, NULL), (3, 'b'), (3, 'c')) v(g, e)
GROUP BY g ORDER BY g;

-- The server is still up and well after all of the above
SELECT likeset_count('{a,b,-c}') AS still_up;

RESET DateStyle;
RESET TimeZone;
