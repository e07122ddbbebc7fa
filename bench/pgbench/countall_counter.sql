-- like counts of all pages, one query
SELECT page_id, n FROM counter_pages;
