-- build every page's {user: ts} map from the normalized table (in memory)
SELECT sum(pg_column_size(s)) FROM (
	SELECT page_id, jsonb_object_agg(user_id, ts) AS s FROM norm_likes WHERE NOT removed GROUP BY page_id) b;
