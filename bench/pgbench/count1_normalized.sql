-- like count of one page
\set p random(1, :pages)
SELECT count(*) FROM norm_likes WHERE page_id = :p AND NOT removed;
