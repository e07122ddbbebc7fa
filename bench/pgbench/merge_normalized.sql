-- merge of the replica states' rows: the latest operation per user (remove wins ties)
SELECT count(*) FILTER (WHERE NOT removed) FROM (
	SELECT DISTINCT ON (user_id) user_id, ts, removed
	FROM merge.norm_states
	ORDER BY user_id, ts DESC, removed DESC) m;
