-- like: one more like on a random page (not idempotent: a retry counts twice)
\set p random(1, :pages)
UPDATE counter_pages SET n = n + 1 WHERE page_id = :p;
