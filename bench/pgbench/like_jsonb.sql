-- like: a new user likes a random page, stamped now; a stale like changes nothing
\set p random(1, :pages)
\set u random(300001, 999999)
UPDATE jsonb_pages SET likes = likes || jsonb_build_object(o.u, o.t), unlikes = unlikes - o.u
	FROM (SELECT 'user' || :u AS u, now() AS t) o
	WHERE page_id = :p
	  AND coalesce((likes ->> o.u)::timestamptz < o.t, true)
	  AND coalesce((unlikes ->> o.u)::timestamptz < o.t, true);
