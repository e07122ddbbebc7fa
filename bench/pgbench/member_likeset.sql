-- did user X like page P? (half of the users asked about did)
\set p random(1, :pages)
\set u random(100001, 100000 + 2 * :size)
SELECT likes @> ('user' || :u) FROM likeset_pages WHERE page_id = :p;
