-- like counts of all pages, one query
SELECT page_id, (SELECT count(*) FROM jsonb_object_keys(likes)) FROM jsonb_pages;
