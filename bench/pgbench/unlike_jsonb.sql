-- unlike: one of a random page's users unlikes it, stamped now (moved to the unlikes map)
\set p random(1, :pages)
\set u random(100001, 100000 + :size)
UPDATE jsonb_pages SET likes = likes - o.u, unlikes = unlikes || jsonb_build_object(o.u, o.t)
	FROM (SELECT 'user' || :u AS u, now() AS t) o
	WHERE page_id = :p
	  AND coalesce((likes ->> o.u)::timestamptz <= o.t, true)
	  AND coalesce((unlikes ->> o.u)::timestamptz < o.t, true);
