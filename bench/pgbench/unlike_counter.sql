-- unlike: one like less on a random page
\set p random(1, :pages)
UPDATE counter_pages SET n = n - 1 WHERE page_id = :p;
