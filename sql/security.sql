-- What the extension trusts: no SECURITY DEFINER, pinned search_path, and
-- its functions keep working (and call nothing of a hostile schema) when
-- the caller's search_path puts hostile objects first.

-- no function of the extension borrows its owner's privileges
SELECT count(*) AS security_definer
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'likeset')
  AND p.prosecdef;

-- every PL/pgSQL or SQL function that runs SQL pins its search_path; the C
-- ones (the hot paths of likeset_like.c, the triggers) name every object
-- in their statements with its schema instead (see plancache.sql)
SELECT p.proname, p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql') AS plpgsql,
       p.proconfig
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'likeset')
  AND (p.proconfig IS NOT NULL
       OR p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
       OR p.prorettype = 'trigger'::regtype)
ORDER BY 1;

-- a hostile schema shadowing what likeset_replicate and the trigger use
CREATE SCHEMA evil;
CREATE FUNCTION evil.format(text, regclass) RETURNS text
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: evil.format'; END $$;
CREATE FUNCTION evil.pg_has_role(oid, text) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: evil.pg_has_role'; END $$;
CREATE FUNCTION evil.current_setting(text) RETURNS text
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: evil.current_setting'; END $$;
CREATE FUNCTION evil.int_eq(int, int) RETURNS boolean
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked: evil.='; END $$;
CREATE OPERATOR evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = evil.int_eq);
CREATE TABLE public.sec_pages (id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
INSERT INTO public.sec_pages VALUES (1, '{a@2026-01-01T00:00:00Z}');

-- pg_catalog is searched after evil: unqualified names would find evil's
SET search_path = evil, pg_catalog, public;
SELECT pg_has_role(0::oid, 'USAGE');	-- shows the trap is armed
SELECT likeset_replicate('public.sec_pages');
SELECT likeset_replicate('public.sec_pages');	-- twice: harmless
-- the trigger, as an apply worker would fire it, with the hostile path
SET session_replication_role = replica;
INSERT INTO public.sec_pages VALUES (1, '{b@2026-01-01T00:00:00Z}');
UPDATE public.sec_pages SET likes = '{-a@2026-01-02T00:00:00Z}' WHERE id OPERATOR(pg_catalog.=) 1;
RESET session_replication_role;
SELECT id, likes FROM public.sec_pages;
SELECT likeset_unreplicate('public.sec_pages');
-- the log layout's calls, its fold and its replica-side filter, with the
-- same hostile path (evil.= would catch an unqualified int key comparison)
SELECT public.likeset_create_log('public.sec_log', 'int', 4);
SELECT public.likeset_like('public.sec_log', 1, 'u' || g, '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 s')
	FROM generate_series(1, 10) g;
SELECT public.likeset_unlike('public.sec_log', 1, 'u3');
SELECT public.likeset_fold('public.sec_log');
SELECT public.likeset_like('public.sec_log', 1, 'u11');
SET session_replication_role = replica;
INSERT INTO public.sec_log VALUES (1, 'u2', '2026-01-01 00:00:02+00', false);	-- an echo: dropped
RESET session_replication_role;
SELECT public.likeset_count('public.sec_log', 1), public.likeset_contains('public.sec_log', 1, 'u3'),
	   public.likeset_count('public.sec_pages', 1);
RESET search_path;
SELECT count(*) AS pending FROM public.sec_log;

DROP TABLE public.sec_pages, public.sec_log, public.sec_log_part, public.sec_log_head;
DROP SCHEMA evil CASCADE;
