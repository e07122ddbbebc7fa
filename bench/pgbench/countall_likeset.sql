-- like counts of all pages, one query
SELECT page_id, likeset_count(likes) FROM likeset_pages;
