-- build every page's counter from the normalized table
SELECT sum(n) FROM (
	SELECT page_id, count(*) AS n FROM norm_likes WHERE NOT removed GROUP BY page_id) b;
