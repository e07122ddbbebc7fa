-- like counts of all pages, one query
SELECT page_id, count(*) FROM norm_likes WHERE NOT removed GROUP BY page_id;
