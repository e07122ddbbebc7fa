-- like: a new user likes a random page, stamped now
\set p random(1, :pages)
\set u random(300001, 999999)
UPDATE likeset_pages SET likes = likes + ('user' || :u) WHERE page_id = :p;
