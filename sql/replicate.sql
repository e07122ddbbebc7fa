--
-- replicate: likeset_replicate() / likeset_unreplicate() and the merge
-- trigger they install.  The trigger fires only in sessions with
-- session_replication_role = replica, as logical-replication apply workers
-- run; this file plays the apply worker with SET session_replication_role
-- and an empty search_path.  Two real nodes: t/001_two_nodes.pl,
-- t/003_binary.pl.
--
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
\set SHOW_CONTEXT never

-- Runs a statement; returns 'ok', or its SQLSTATE and message
CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The merge trigger on a table, as the catalog has it
CREATE FUNCTION pg_temp.merge_triggers(tbl regclass,
    OUT tgname name, OUT tgenabled "char", OUT def text)
  RETURNS SETOF record LANGUAGE sql AS $$
  SELECT t.tgname, t.tgenabled, pg_catalog.pg_get_triggerdef(t.oid)
  FROM pg_catalog.pg_trigger t WHERE t.tgrelid = tbl ORDER BY 1
$$;

--
-- Tables likeset_replicate() refuses
--
-- no key at all: 55000, with a hint
CREATE TABLE t_nokey (id int, likes likeset);
SELECT likeset_replicate('t_nokey');
-- a primary key, but REPLICA IDENTITY FULL or NOTHING: no key to merge by
CREATE TABLE t_full (id int PRIMARY KEY, likes likeset);
ALTER TABLE t_full REPLICA IDENTITY FULL;
CREATE TABLE t_nothing (id int PRIMARY KEY, likes likeset);
ALTER TABLE t_nothing REPLICA IDENTITY NOTHING;
-- a unique index that is not the replica identity does not count either
CREATE TABLE t_uniq (id int NOT NULL UNIQUE, likes likeset);
-- no likeset column (or only a dropped one)
CREATE TABLE t_nolikes (id int PRIMARY KEY, title text);
CREATE TABLE t_dropped (id int PRIMARY KEY, likes likeset, title text);
ALTER TABLE t_dropped DROP COLUMN likes;
-- not an ordinary table: 42809, with a detail
CREATE VIEW v_pages AS SELECT 1 AS id, '{}'::likeset AS likes;
CREATE TABLE t_parted (id int PRIMARY KEY, likes likeset) PARTITION BY RANGE (id);
CREATE TABLE t_part1 PARTITION OF t_parted FOR VALUES FROM (0) TO (100);
CREATE MATERIALIZED VIEW m_pages AS SELECT 1 AS id, '{}'::likeset AS likes;
SELECT likeset_replicate('v_pages');
SELECT tbl, pg_temp.outcome(format('SELECT likeset_replicate(%L)', tbl)) AS outcome
FROM unnest(ARRAY['t_nokey', 't_full', 't_nothing', 't_uniq', 't_nolikes',
                  't_dropped', 'v_pages', 't_parted', 'm_pages']) AS tbl;
-- none of them got a trigger
SELECT count(*) AS triggers FROM pg_trigger
WHERE tgrelid IN ('t_nokey'::regclass, 't_full'::regclass, 't_nothing'::regclass,
                  't_uniq'::regclass, 't_nolikes'::regclass, 't_dropped'::regclass,
                  't_parted'::regclass, 'm_pages'::regclass);
-- a missing table is the regclass error; NULL is a no-op (STRICT)
SELECT likeset_replicate('no_such_table');
SELECT likeset_replicate(NULL) IS NULL AS is_null, likeset_unreplicate(NULL) IS NULL AS is_null;
-- a partition is an ordinary table, but it cannot add the write-time
-- column by itself (55000, the hint says where); once its partitioned
-- table has it, the partition is accepted
SELECT likeset_replicate('t_part1');
SELECT pg_temp.outcome($$SELECT likeset_replicate('t_part1')$$) AS outcome;
ALTER TABLE t_parted ADD COLUMN likeset_row_ts timestamptz NOT NULL DEFAULT '-infinity';
SELECT likeset_replicate('t_part1');
SELECT * FROM pg_temp.merge_triggers('t_part1');
DROP TABLE t_nokey, t_full, t_nothing, t_uniq, t_nolikes, t_dropped, t_parted;
DROP VIEW v_pages;
DROP MATERIALIZED VIEW m_pages;

--
-- Install, reinstall, remove
--
CREATE TABLE t_once (id int PRIMARY KEY, likes likeset);
SELECT likeset_replicate('t_once');
-- one replica-only trigger (tgenabled = 'R'), BEFORE INSERT OR UPDATE, per row
SELECT * FROM pg_temp.merge_triggers('t_once');
-- a second call leaves exactly one trigger
SELECT likeset_replicate('t_once');
SELECT * FROM pg_temp.merge_triggers('t_once');
-- a disabled trigger is enabled for replicas again by another call
ALTER TABLE t_once DISABLE TRIGGER likeset_replicate_merge;
SELECT tgenabled FROM pg_trigger WHERE tgrelid = 't_once'::regclass;
SELECT likeset_replicate('t_once');
SELECT * FROM pg_temp.merge_triggers('t_once');
-- unreplicate removes it; again when absent is harmless (and silent)
SELECT likeset_unreplicate('t_once');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 't_once'::regclass;
SELECT likeset_unreplicate('t_once');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 't_once'::regclass;
-- another trigger of the table is left alone by both functions
CREATE FUNCTION pg_temp.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t_once_other BEFORE UPDATE ON t_once FOR EACH ROW EXECUTE FUNCTION pg_temp.noop();
SELECT likeset_replicate('t_once');
SELECT likeset_unreplicate('t_once');
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 't_once'::regclass;
DROP TABLE t_once;

--
-- The row's write time: likeset_replicate() adds likeset_row_ts, and a
-- trigger for local writes (tgenabled 'O': not in apply workers) keeps it
--
CREATE TABLE wt (id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}', title text,
                 n int GENERATED ALWAYS AS (likeset_count(likes)) STORED);
INSERT INTO wt VALUES (1, '{}', 'there before');
SELECT likeset_replicate('wt');
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default, col_description(a.attrelid, a.attnum)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = 'wt'::regclass AND a.attname = 'likeset_row_ts';
SELECT * FROM pg_temp.merge_triggers('wt');
-- the rows there have -infinity: on every node the same, so none wins by it
SELECT id, likeset_row_ts FROM wt;
-- a local insert takes the clock
SELECT clock_timestamp() AS t0 \gset
INSERT INTO wt (id, title) VALUES (2, 'two');
SELECT likeset_row_ts >= :'t0' AND likeset_row_ts <= clock_timestamp() AS clock FROM wt WHERE id = 2;
-- NULL also means now; an explicit finite time is kept (a row copied from
-- another node, a restored dump)
INSERT INTO wt VALUES (3, '{}', 'three', DEFAULT, NULL), (4, '{}', 'four', DEFAULT, '2026-01-01 00:00:00+00');
SELECT id, likeset_row_ts >= :'t0' AS clock,
       CASE WHEN likeset_row_ts < :'t0' THEN likeset_row_ts END AS kept
FROM wt WHERE id IN (3, 4) ORDER BY id;
-- infinity is refused: it would win every race for ever (22008)
INSERT INTO wt VALUES (5, '{}', 'five', DEFAULT, 'infinity');
SELECT pg_temp.outcome($$INSERT INTO wt VALUES (5, '{}', 'five', DEFAULT, 'infinity')$$) AS outcome;
-- a like or an unlike (likeset columns only) keeps the write time, even
-- when the statement sets it: the trigger owns the column
UPDATE wt SET likes = likes + 'ann' WHERE id = 4;
UPDATE wt SET likes = likes - 'ann', likeset_row_ts = '2030-01-01 00:00:00+00' WHERE id = 4;
UPDATE wt SET title = title WHERE id = 4;
SELECT likes @> 'ann' AS ann, n, likeset_row_ts FROM wt WHERE id = 4;
-- a change to another column takes the clock
SELECT clock_timestamp() AS t1 \gset
UPDATE wt SET title = 'four!' WHERE id = 4;
SELECT likeset_row_ts >= :'t1' AND likeset_row_ts <= clock_timestamp() AS clock FROM wt WHERE id = 4;
-- ... or 1 microsecond past the old time when that is ahead of the clock
-- (a row last written on a node whose clock runs ahead): a change made
-- after seeing a row wins over it
INSERT INTO wt VALUES (6, '{}', 'six', DEFAULT, '2999-01-01 00:00:00+00');
UPDATE wt SET title = 'six!' WHERE id = 6;
UPDATE wt SET title = 'six!!', likes = likes + 'bob' WHERE id = 6;
SELECT title, likeset_row_ts FROM wt WHERE id = 6;
-- a NULL title counts as a change too, and so does a new key
UPDATE wt SET title = NULL WHERE id = 6;
UPDATE wt SET id = 7 WHERE id = 6;
SELECT id, title, likeset_row_ts FROM wt WHERE id = 7;
-- an upsert: the insert's time, then the update's
INSERT INTO wt VALUES (7, '{}', 'seven', DEFAULT, '2026-01-01 00:00:00+00')
ON CONFLICT (id) DO UPDATE SET title = excluded.title;
SELECT id, title, likeset_row_ts FROM wt WHERE id = 7;
-- with the column gone the trigger stops local writes with a hint (55000)
BEGIN;
ALTER TABLE wt DROP COLUMN likeset_row_ts;
UPDATE wt SET title = 'x' WHERE id = 1;
ROLLBACK;
BEGIN;
ALTER TABLE wt DROP COLUMN likeset_row_ts;
SELECT pg_temp.outcome($$UPDATE wt SET title = 'x' WHERE id = 1$$) AS outcome;
ROLLBACK;
-- a column of that name and another type is refused (42804); so is a
-- partition (above); unreplicate drops both triggers and keeps the column
CREATE TABLE wt_text (id int PRIMARY KEY, likes likeset, likeset_row_ts text);
SELECT likeset_replicate('wt_text');
SELECT pg_temp.outcome($$SELECT likeset_replicate('wt_text')$$) AS outcome;
SELECT likeset_unreplicate('wt');
SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'wt'::regclass) AS triggers,
       (SELECT count(*) FROM pg_attribute
        WHERE attrelid = 'wt'::regclass AND attname = 'likeset_row_ts') AS columns;
-- and replicating again keeps the times there
SELECT likeset_replicate('wt');
SELECT id, likeset_row_ts FROM wt WHERE id = 7;
DROP TABLE wt, wt_text;

--
-- Only the owner (or a member of the owning role) may replicate
--
CREATE ROLE regress_likeset_owner;
CREATE ROLE regress_likeset_other;
CREATE ROLE regress_likeset_member IN ROLE regress_likeset_owner;
CREATE TABLE t_owned (id int PRIMARY KEY, likes likeset);
ALTER TABLE t_owned OWNER TO regress_likeset_owner;
-- the other role can see, change and even add triggers to the table
GRANT SELECT, INSERT, UPDATE, DELETE, TRIGGER ON t_owned TO regress_likeset_other;
SET ROLE regress_likeset_other;
SELECT count(*) AS visible FROM t_owned;
SELECT likeset_replicate('t_owned');
SELECT pg_temp.outcome('SELECT likeset_replicate(''t_owned'')') AS replicate,
       pg_temp.outcome('SELECT likeset_unreplicate(''t_owned'')') AS unreplicate;
RESET ROLE;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 't_owned'::regclass;
-- the owner, not a superuser, can
SET ROLE regress_likeset_owner;
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
SELECT likeset_replicate('t_owned');
SELECT * FROM pg_temp.merge_triggers('t_owned');
RESET ROLE;
-- the other role cannot remove it either
SET ROLE regress_likeset_other;
SELECT pg_temp.outcome('SELECT likeset_unreplicate(''t_owned'')') AS unreplicate;
RESET ROLE;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 't_owned'::regclass;
-- the owner removes it, and a member of the owning role puts it back
SET ROLE regress_likeset_owner;
SELECT likeset_unreplicate('t_owned');
RESET ROLE;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 't_owned'::regclass;
SET ROLE regress_likeset_member;
SELECT likeset_replicate('t_owned');
RESET ROLE;
SELECT * FROM pg_temp.merge_triggers('t_owned');
DROP TABLE t_owned;
DROP ROLE regress_likeset_member, regress_likeset_other, regress_likeset_owner;

--
-- The merge, as an apply worker sees it
--
-- Two likeset columns, a text column and a key.
CREATE TABLE pages (id int PRIMARY KEY, likes likeset, dislikes likeset, title text);
INSERT INTO pages VALUES
  (1, '{ann@2026-01-01T10:00:00Z,-bob@2026-01-01T10:00:00Z}', '{zed@2026-01-01T10:00:00Z}', 'one'),
  (2, '{ann@2026-01-01T10:00:00Z}', NULL, 'two');
SELECT likeset_replicate('pages');

-- With the default session_replication_role (origin) the trigger does not
-- fire: an UPDATE overwrites, as any UPDATE does.  Nor does it fire for 'local'.
BEGIN;
UPDATE pages SET likes = '{cat@2026-01-01T09:00:00Z}' WHERE id = 1;
SELECT id, likes FROM pages WHERE id = 1;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = local;
UPDATE pages SET likes = '{cat@2026-01-01T09:00:00Z}' WHERE id = 1;
SELECT id, likes FROM pages WHERE id = 1;
ROLLBACK;
-- ... and a plain INSERT of an existing key fails as usual
INSERT INTO pages VALUES (1, '{}', '{}', 'dup');

-- From here on: an apply worker, with its empty search_path
SET session_replication_role = replica;
SET search_path = '';

-- UPDATE: every likeset column merges; the other columns go to the later
-- writer, the row with the greater likeset_row_ts (an apply worker's row
-- carries the publisher's; the local rows here have -infinity)
UPDATE public.pages
SET likes = '{bob@2026-01-01T10:05:00Z,cat@2026-01-01T10:01:00Z,-ann@2026-01-01T09:00:00Z}',
    dislikes = '{-zed@2026-01-01T10:02:00Z,yan@2026-01-01T10:02:00Z}',
    title = 'one, renamed', likeset_row_ts = '2026-01-02 00:00:01+00'
WHERE id = 1;
\echo rows written: :ROW_COUNT
SELECT * FROM public.pages ORDER BY id;

-- an UPDATE whose merge changes nothing writes nothing: no row is written,
-- and the row keeps its version (xmin) and place (ctid)
SELECT xmin AS x1, ctid AS c1 FROM public.pages WHERE id = 1 \gset
UPDATE public.pages
SET likes = '{ann@2026-01-01T09:59:00Z,-cat@2026-01-01T10:00:00Z}',
    dislikes = '{}'
WHERE id = 1;
\echo rows written: :ROW_COUNT
SELECT xmin::text = :'x1' AS same_xmin, ctid::text = :'c1' AS same_ctid FROM public.pages WHERE id = 1;
-- the same states, whole, are no change either
UPDATE public.pages SET likes = likes, dislikes = dislikes, title = title WHERE id = 1;
\echo rows written: :ROW_COUNT
SELECT xmin::text = :'x1' AS same_xmin, ctid::text = :'c1' AS same_ctid FROM public.pages WHERE id = 1;
-- nor is a NULL incoming likeset: it carries no information, the local state stays
UPDATE public.pages SET likes = NULL, dislikes = NULL WHERE id = 1;
\echo rows written: :ROW_COUNT
SELECT xmin::text = :'x1' AS same_xmin, ctid::text = :'c1' AS same_ctid FROM public.pages WHERE id = 1;
SELECT * FROM public.pages WHERE id = 1;
-- a NULL likeset with a new title: title changes, the likesets stay
UPDATE public.pages SET likes = NULL, title = 'one again', likeset_row_ts = '2026-01-02 00:00:02+00' WHERE id = 1;
\echo rows written: :ROW_COUNT
SELECT * FROM public.pages WHERE id = 1;
SELECT xmin::text = :'x1' AS same_xmin FROM public.pages WHERE id = 1;
-- a title change alone is written, with the likesets untouched
UPDATE public.pages SET title = 'one', likeset_row_ts = '2026-01-02 00:00:03+00' WHERE id = 1;
SELECT * FROM public.pages WHERE id = 1;
-- an older state in the likeset changes nothing, the new title is written
UPDATE public.pages SET likes = '{bob@2026-01-01T10:04:59Z}', title = 'uno', likeset_row_ts = '2026-01-02 00:00:04+00' WHERE id = 1;
SELECT * FROM public.pages WHERE id = 1;
-- an earlier writer's title loses, whatever its value; its likes still merge
UPDATE public.pages SET likes = '{gil@2026-01-01T10:00:00Z}', title = 'zzz, earlier',
    likeset_row_ts = '2026-01-02 00:00:03.999999+00' WHERE id = 1;
SELECT * FROM public.pages WHERE id = 1;
-- ... and with no likeset news, nothing is written
SELECT xmin AS x6, ctid AS c6 FROM public.pages WHERE id = 1 \gset
UPDATE public.pages SET title = 'zzz, earlier', likeset_row_ts = '2026-01-01 00:00:00+00' WHERE id = 1;
\echo rows written: :ROW_COUNT
SELECT xmin::text = :'x6' AS same_xmin, ctid::text = :'c6' AS same_ctid FROM public.pages WHERE id = 1;
-- a NULL write time (a row from a node without the column) is the earliest
UPDATE public.pages SET title = 'zzz, no time', likeset_row_ts = NULL WHERE id = 1;
\echo rows written: :ROW_COUNT
-- equal write times: the greater value of the first column that differs,
-- so that both nodes pick the same row
UPDATE public.pages SET title = 'una' WHERE id = 1;
\echo rows written: :ROW_COUNT
SELECT title FROM public.pages WHERE id = 1;
UPDATE public.pages SET title = 'uno, tied' WHERE id = 1;
SELECT title, likeset_row_ts FROM public.pages WHERE id = 1;
-- equal values, a later write time: the time is taken (so nodes agree on it)
UPDATE public.pages SET likeset_row_ts = '2026-01-02 00:00:04.5+00' WHERE id = 1;
SELECT title, likeset_row_ts FROM public.pages WHERE id = 1;
-- a local NULL takes the incoming state; NULL stays NULL
SELECT xmin AS x2, ctid AS c2 FROM public.pages WHERE id = 2 \gset
UPDATE public.pages SET dislikes = NULL WHERE id = 2;
\echo rows written: :ROW_COUNT
SELECT xmin::text = :'x2' AS same_xmin, ctid::text = :'c2' AS same_ctid FROM public.pages WHERE id = 2;
UPDATE public.pages SET dislikes = '{dan@2026-01-01T11:00:00Z}' WHERE id = 2;
SELECT * FROM public.pages WHERE id = 2;
-- equal timestamps: the remove wins, whichever side had it
UPDATE public.pages SET likes = '{-ann@2026-01-01T10:00:00Z}' WHERE id = 2;
UPDATE public.pages SET likes = '{ann@2026-01-01T10:00:00Z}' WHERE id = 2;
\echo rows written: :ROW_COUNT
SELECT * FROM public.pages WHERE id = 2;
-- a multi-row UPDATE merges row by row
UPDATE public.pages SET likes = '{eve@2026-01-01T12:00:00Z}';
SELECT * FROM public.pages ORDER BY id;

-- INSERT of an existing key merges into the row instead of failing: the
-- trigger writes the row itself (an update here, no insert; counted within
-- the transaction, as pg_stat_xact_user_tables shows earlier ones too)
BEGIN;
SELECT n_tup_ins AS ins0, n_tup_upd AS upd0 FROM pg_catalog.pg_stat_xact_user_tables
WHERE relid = 'public.pages'::pg_catalog.regclass \gset
INSERT INTO public.pages VALUES
  (1, '{fay@2026-01-01T12:30:00Z,-eve@2026-01-01T12:30:00Z}', '{-yan@2026-01-01T09:00:00Z}', 'uno bis',
   '2026-01-02 00:00:05+00');
SELECT n_tup_ins - :ins0 AS inserted, n_tup_upd - :upd0 AS updated
FROM pg_catalog.pg_stat_xact_user_tables WHERE relid = 'public.pages'::pg_catalog.regclass;
COMMIT;
SELECT * FROM public.pages WHERE id = 1;
-- ... and writes nothing when it brings nothing new
SELECT xmin AS x3, ctid AS c3 FROM public.pages WHERE id = 1 \gset
BEGIN;
SELECT n_tup_ins AS ins0, n_tup_upd AS upd0 FROM pg_catalog.pg_stat_xact_user_tables
WHERE relid = 'public.pages'::pg_catalog.regclass \gset
INSERT INTO public.pages VALUES (1, '{fay@2026-01-01T12:00:00Z}', NULL, 'uno bis', '2026-01-02 00:00:05+00');
SELECT xmin::text = :'x3' AS same_xmin, ctid::text = :'c3' AS same_ctid FROM public.pages WHERE id = 1;
-- an insert from an earlier writer: its title loses, nothing is written
INSERT INTO public.pages VALUES (1, '{}', NULL, 'zzz, inserted earlier', '2026-01-02 00:00:01+00');
SELECT n_tup_ins - :ins0 AS inserted, n_tup_upd - :upd0 AS updated
FROM pg_catalog.pg_stat_xact_user_tables WHERE relid = 'public.pages'::pg_catalog.regclass;
COMMIT;
SELECT xmin::text = :'x3' AS same_xmin, ctid::text = :'c3' AS same_ctid FROM public.pages WHERE id = 1;
INSERT INTO public.pages SELECT * FROM public.pages WHERE id = 1;
SELECT xmin::text = :'x3' AS same_xmin, ctid::text = :'c3' AS same_ctid FROM public.pages WHERE id = 1;
-- INSERT of a new key inserts
INSERT INTO public.pages VALUES (3, '{gus@2026-01-01T13:00:00Z}', NULL, 'three');
-- two rows of one statement with the same key: the second merges into the first
INSERT INTO public.pages VALUES
  (4, '{hal@2026-01-01T13:00:00Z}', '{}', 'four'),
  (4, '{-hal@2026-01-01T13:00:00Z,ida@2026-01-01T13:00:00Z}', NULL, 'four, second');
SELECT * FROM public.pages ORDER BY id;
-- COPY (a table's initial copy) merges too
COPY public.pages (id, likes, dislikes, title) FROM stdin;
3	{jon@2026-01-01T14:00:00Z}	{kim@2026-01-01T14:00:00Z}	three, copied
5	{lea@2026-01-01T14:00:00Z}	\N	five
\.
SELECT * FROM public.pages ORDER BY id;
-- a stored row counts once: no duplicate keys, nothing left behind
SELECT count(*) AS total, count(DISTINCT id) AS keys FROM public.pages;
-- no statement above raised an error, and the trigger is still the only one
SELECT tgname, tgenabled FROM pg_catalog.pg_trigger WHERE tgrelid = 'public.pages'::pg_catalog.regclass;

--
-- A composite primary key
--
RESET session_replication_role;
CREATE TABLE public.votes (site text, page int, likes public.likeset NOT NULL DEFAULT '{}',
                           PRIMARY KEY (site, page));
INSERT INTO public.votes VALUES ('a', 1, '{ann@2026-01-01T10:00:00Z}'),
                                ('a', 2, '{bob@2026-01-01T10:00:00Z}'),
                                ('b', 1, '{cat@2026-01-01T10:00:00Z}');
SELECT public.likeset_replicate('public.votes');
SET session_replication_role = replica;
UPDATE public.votes SET likes = '{dan@2026-01-01T11:00:00Z}' WHERE site = 'a' AND page = 1;
INSERT INTO public.votes VALUES ('a', 2, '{-bob@2026-01-01T11:00:00Z}');
INSERT INTO public.votes VALUES ('b', 2, '{eve@2026-01-01T11:00:00Z}');
SELECT xmin AS x4, ctid AS c4 FROM public.votes WHERE site = 'b' AND page = 1 \gset
INSERT INTO public.votes VALUES ('b', 1, '{cat@2026-01-01T09:00:00Z}');
SELECT xmin::text = :'x4' AS same_xmin, ctid::text = :'c4' AS same_ctid
FROM public.votes WHERE site = 'b' AND page = 1;
SELECT * FROM public.votes ORDER BY site, page;

--
-- REPLICA IDENTITY USING INDEX on a unique index other than the primary key:
-- replicated rows are matched by that index
--
RESET session_replication_role;
CREATE TABLE public.tags (id int PRIMARY KEY, slug text NOT NULL, likes public.likeset);
CREATE UNIQUE INDEX tags_slug ON public.tags (slug);
ALTER TABLE public.tags REPLICA IDENTITY USING INDEX tags_slug;
INSERT INTO public.tags VALUES (1, 'pg', '{ann@2026-01-01T10:00:00Z}');
SELECT public.likeset_replicate('public.tags');
SET session_replication_role = replica;
-- a row with the slug exists: merged, and it takes the incoming id
INSERT INTO public.tags VALUES (7, 'pg', '{bob@2026-01-01T10:00:00Z}');
-- a new slug: inserted
INSERT INTO public.tags VALUES (2, 'sql', '{cat@2026-01-01T10:00:00Z}');
UPDATE public.tags SET likes = '{-ann@2026-01-01T11:00:00Z}' WHERE slug = 'pg';
SELECT * FROM public.tags ORDER BY id;
-- the replica identity turned FULL after the fact: a replicated INSERT cannot be
-- matched by key and fails cleanly (55000); an UPDATE still merges
ALTER TABLE public.tags REPLICA IDENTITY FULL;
SELECT pg_temp.outcome($$INSERT INTO public.tags VALUES (3, 'new', '{}')$$) AS outcome;
UPDATE public.tags SET likes = '{dan@2026-01-01T11:00:00Z}' WHERE slug = 'sql';
SELECT * FROM public.tags ORDER BY id;

--
-- Names that need quoting, a key whose type is a domain, and a key matched
-- by an operator outside pg_catalog (and outside any search_path)
--
RESET session_replication_role;
CREATE SCHEMA "My Schema";
CREATE DOMAIN "My Schema"."Page Id" AS int CHECK (VALUE > 0);
CREATE TABLE "My Schema"."Pages" ("Page Id" "My Schema"."Page Id" PRIMARY KEY,
                                  "Likes!" public.likeset NOT NULL DEFAULT '{}',
                                  "say ""hi""" text,
                                  "select" public.likeset);
INSERT INTO "My Schema"."Pages" VALUES (1, '{"a,b"@2026-01-01T10:00:00Z}', 'hi', '{}');
SELECT public.likeset_replicate('"My Schema"."Pages"');
SELECT tgname, tgenabled FROM pg_catalog.pg_trigger
WHERE tgrelid = '"My Schema"."Pages"'::pg_catalog.regclass;
SET session_replication_role = replica;
UPDATE "My Schema"."Pages" SET "Likes!" = '{"é"@2026-01-01T11:00:00Z}', "say ""hi""" = 'ho'
WHERE "Page Id" = 1;
INSERT INTO "My Schema"."Pages" VALUES (1, '{-"a,b"@2026-01-01T11:00:00Z}', 'hey', '{x@2026-01-01T11:00:00Z}');
INSERT INTO "My Schema"."Pages" VALUES (2, '{""@2026-01-01T11:00:00Z}', 'two', NULL);
SELECT * FROM "My Schema"."Pages" ORDER BY 1;
SELECT xmin AS x5, ctid AS c5 FROM "My Schema"."Pages" WHERE "Page Id" = 1 \gset
INSERT INTO "My Schema"."Pages" VALUES (1, '{}', 'hey', NULL);
SELECT xmin::text = :'x5' AS same_xmin, ctid::text = :'c5' AS same_ctid
FROM "My Schema"."Pages" WHERE "Page Id" = 1;

-- a btree operator class of its own, in a schema of its own, whose equality
-- operator is "Key Ops".== : the trigger must name it with its schema
RESET session_replication_role;
CREATE SCHEMA "Key Ops";
CREATE OPERATOR "Key Ops".<# (LEFTARG = int, RIGHTARG = int, FUNCTION = pg_catalog.int4lt);
CREATE OPERATOR "Key Ops".<=# (LEFTARG = int, RIGHTARG = int, FUNCTION = pg_catalog.int4le);
CREATE OPERATOR "Key Ops".== (LEFTARG = int, RIGHTARG = int, FUNCTION = pg_catalog.int4eq);
CREATE OPERATOR "Key Ops".>=# (LEFTARG = int, RIGHTARG = int, FUNCTION = pg_catalog.int4ge);
CREATE OPERATOR "Key Ops".># (LEFTARG = int, RIGHTARG = int, FUNCTION = pg_catalog.int4gt);
CREATE OPERATOR CLASS "Key Ops".int_ops FOR TYPE int USING btree AS
  OPERATOR 1 "Key Ops".<#, OPERATOR 2 "Key Ops".<=#, OPERATOR 3 "Key Ops".==,
  OPERATOR 4 "Key Ops".>=#, OPERATOR 5 "Key Ops".>#,
  FUNCTION 1 pg_catalog.btint4cmp(int, int);
CREATE TABLE public.keyed (k int NOT NULL, likes public.likeset);
CREATE UNIQUE INDEX keyed_k ON public.keyed (k "Key Ops".int_ops);
ALTER TABLE public.keyed REPLICA IDENTITY USING INDEX keyed_k;
INSERT INTO public.keyed VALUES (1, '{ann@2026-01-01T10:00:00Z}');
SELECT public.likeset_replicate('public.keyed');
SET session_replication_role = replica;
INSERT INTO public.keyed VALUES (1, '{bob@2026-01-01T10:00:00Z}');
INSERT INTO public.keyed VALUES (2, '{cat@2026-01-01T10:00:00Z}');
SELECT * FROM public.keyed ORDER BY k;

--
-- Identity and generated columns: the merged insert writes the row the
-- apply worker would have written
--
RESET session_replication_role;
CREATE TABLE public.ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                           likes public.likeset,
                           n int GENERATED ALWAYS AS (public.likeset_count(likes)) STORED);
INSERT INTO public.ident (likes) VALUES ('{ann@2026-01-01T10:00:00Z}');
SELECT public.likeset_replicate('public.ident');
SET session_replication_role = replica;
INSERT INTO public.ident OVERRIDING SYSTEM VALUE VALUES (1, '{bob@2026-01-01T10:00:00Z}');
INSERT INTO public.ident OVERRIDING SYSTEM VALUE VALUES (5, '{cat@2026-01-01T10:00:00Z}');
-- a replicated UPDATE merges as everywhere else (the generated column follows)
UPDATE public.ident SET likes = '{-ann@2026-01-01T11:00:00Z}' WHERE id = 1;
SELECT * FROM public.ident ORDER BY id;

RESET session_replication_role;
RESET search_path;
SET client_min_messages = warning;
DROP TABLE pages, votes, tags, keyed, ident;
DROP SCHEMA "My Schema", "Key Ops" CASCADE;
RESET client_min_messages;

--
-- Dropped columns: the merged insert matches the local row's columns to the
-- table's by name, wherever dropped columns left gaps (last in this file:
-- a wrong mapping can take the server down)
--
CREATE TABLE dropped1 (junk int, id int PRIMARY KEY, gone text, likes likeset, title text);
ALTER TABLE dropped1 DROP COLUMN junk, DROP COLUMN gone;
CREATE TABLE dropped2 (junk int, id int PRIMARY KEY, likes likeset, title text);
ALTER TABLE dropped2 DROP COLUMN junk;
INSERT INTO dropped1 VALUES (1, '{a@2026-01-01T10:00:00Z}', 'one');
INSERT INTO dropped2 VALUES (1, '{a@2026-01-01T10:00:00Z}', 'one');
SELECT likeset_replicate('dropped1'), likeset_replicate('dropped2');
SET session_replication_role = replica;
INSERT INTO dropped1 VALUES (1, '{b@2026-01-01T10:00:00Z}', 'uno');
INSERT INTO dropped1 VALUES (2, '{c@2026-01-01T10:00:00Z}', 'two');
UPDATE dropped1 SET likes = '{-a@2026-01-01T11:00:00Z}' WHERE id = 1;
SELECT * FROM dropped1 ORDER BY id;
INSERT INTO dropped2 VALUES (1, '{b@2026-01-01T10:00:00Z}', 'uno');
INSERT INTO dropped2 VALUES (2, '{c@2026-01-01T10:00:00Z}', 'two');
SELECT * FROM dropped2 ORDER BY id;
RESET session_replication_role;
DROP TABLE dropped1, dropped2;
