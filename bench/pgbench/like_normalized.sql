-- like: a new user likes a random page, stamped now; a stale like changes nothing
\set p random(1, :pages)
\set u random(300001, 999999)
INSERT INTO norm_likes AS l (page_id, user_id, ts, removed)
	VALUES (:p, 'user' || :u, now(), false)
	ON CONFLICT (page_id, user_id) DO UPDATE SET ts = excluded.ts, removed = false
	WHERE l.ts < excluded.ts;
