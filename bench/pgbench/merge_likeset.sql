-- merge of the replica states: likeset_merge_agg, then the present count
SELECT likeset_count(likeset_merge_agg(s)) FROM merge.ls_states;
