-- build every page's set from the normalized table (in memory; the size forces the values)
SELECT sum(pg_column_size(s)) FROM (
	SELECT page_id, likeset_agg(user_id, ts) AS s FROM norm_likes WHERE NOT removed GROUP BY page_id) b;
