-- like count of one page
\set p random(1, :pages)
SELECT (SELECT count(*) FROM jsonb_object_keys(likes)) FROM jsonb_pages WHERE page_id = :p;
