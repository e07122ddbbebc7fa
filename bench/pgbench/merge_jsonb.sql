-- merge of the replica maps: expand, the latest operation per user, rebuild both maps
SELECT (SELECT count(*) FROM jsonb_object_keys(l)), (SELECT count(*) FROM jsonb_object_keys(u)) FROM (
	SELECT jsonb_object_agg(k, t) FILTER (WHERE NOT r) AS l,
		   jsonb_object_agg(k, t) FILTER (WHERE r) AS u
	FROM (SELECT DISTINCT ON (k) k, t, r
		  FROM (SELECT e.key AS k, e.value::timestamptz AS t, false AS r
				FROM merge.jsonb_states, jsonb_each_text(likes) e
				UNION ALL
				SELECT e.key, e.value::timestamptz, true
				FROM merge.jsonb_states, jsonb_each_text(unlikes) e) a
		  ORDER BY k, t DESC, r DESC) d) m;
