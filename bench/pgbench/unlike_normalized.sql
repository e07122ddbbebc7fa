-- unlike: one of a random page's users unlikes it, stamped now (a tombstone row)
\set p random(1, :pages)
\set u random(100001, 100000 + :size)
INSERT INTO norm_likes AS l (page_id, user_id, ts, removed)
	VALUES (:p, 'user' || :u, now(), true)
	ON CONFLICT (page_id, user_id) DO UPDATE SET ts = excluded.ts, removed = true
	WHERE l.ts <= excluded.ts;
