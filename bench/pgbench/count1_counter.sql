-- like count of one page
\set p random(1, :pages)
SELECT n FROM counter_pages WHERE page_id = :p;
