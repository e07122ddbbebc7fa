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
-- a partition is an ordinary table: accepted
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

-- UPDATE: every likeset column merges; the other columns take the new value
UPDATE public.pages
SET likes = '{bob@2026-01-01T10:05:00Z,cat@2026-01-01T10:01:00Z,-ann@2026-01-01T09:00:00Z}',
    dislikes = '{-zed@2026-01-01T10:02:00Z,yan@2026-01-01T10:02:00Z}',
    title = 'one, renamed'
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
UPDATE public.pages SET likes = NULL, title = 'one again' WHERE id = 1;
\echo rows written: :ROW_COUNT
SELECT * FROM public.pages WHERE id = 1;
SELECT xmin::text = :'x1' AS same_xmin FROM public.pages WHERE id = 1;
-- a title change alone is written, with the likesets untouched
UPDATE public.pages SET title = 'one' WHERE id = 1;
SELECT * FROM public.pages WHERE id = 1;
-- an older state in the likeset changes nothing, the new title is written
UPDATE public.pages SET likes = '{bob@2026-01-01T10:04:59Z}', title = 'uno' WHERE id = 1;
SELECT * FROM public.pages WHERE id = 1;
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
  (1, '{fay@2026-01-01T12:30:00Z,-eve@2026-01-01T12:30:00Z}', '{-yan@2026-01-01T09:00:00Z}', 'uno bis');
SELECT n_tup_ins - :ins0 AS inserted, n_tup_upd - :upd0 AS updated
FROM pg_catalog.pg_stat_xact_user_tables WHERE relid = 'public.pages'::pg_catalog.regclass;
COMMIT;
SELECT * FROM public.pages WHERE id = 1;
-- ... and writes nothing when it brings nothing new
SELECT xmin AS x3, ctid AS c3 FROM public.pages WHERE id = 1 \gset
BEGIN;
SELECT n_tup_ins AS ins0, n_tup_upd AS upd0 FROM pg_catalog.pg_stat_xact_user_tables
WHERE relid = 'public.pages'::pg_catalog.regclass \gset
INSERT INTO public.pages VALUES (1, '{fay@2026-01-01T12:00:00Z}', NULL, 'uno bis');
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
COPY public.pages FROM stdin;
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
