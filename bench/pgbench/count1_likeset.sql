-- like count of one page
\set p random(1, :pages)
SELECT likeset_count(likes) FROM likeset_pages WHERE page_id = :p;
