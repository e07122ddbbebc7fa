-- unlike: one of a random page's users unlikes it, stamped now (a tombstone)
\set p random(1, :pages)
\set u random(100001, 100000 + :size)
UPDATE likeset_pages SET likes = likes - ('user' || :u) WHERE page_id = :p;
