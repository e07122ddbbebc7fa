--
-- Soft input errors (PostgreSQL 16 and later; the Makefile runs this file
-- there only): likeset_in saves a bad literal's error in the caller's
-- context instead of raising it, so pg_input_is_valid and
-- pg_input_error_info work, and COPY ... ON_ERROR can skip a bad row (17+,
-- sql/copy_on_error.sql).
--
SELECT pg_input_is_valid('{a@2026-01-01T00:00:00Z,-b@2026-01-02T00:00:00Z}', 'likeset') AS good,
	   pg_input_is_valid('{}', 'likeset') AS empty,
	   pg_input_is_valid('{a@nope}', 'likeset') AS bad_ts,
	   pg_input_is_valid('{a@2026-01-01T00:00:00Z', 'likeset') AS unclosed,
	   pg_input_is_valid('{a@infinity}', 'likeset') AS infinite;
-- each error as it would have been raised: message, detail, SQLSTATE
SELECT left(input, 24) AS input, e.message, e.detail, e.sql_error_code
FROM (VALUES ('{a@nope}'),
			 ('{a@2026-01-01T00:00:00Z'),
			 ('{a@infinity}'),
			 ('{' || repeat('x', 4097) || '@2026-01-01T00:00:00Z}')) AS v(input),
	 LATERAL pg_input_error_info(v.input, 'likeset') AS e
ORDER BY e.sql_error_code, length(input);
-- a hard error stays hard: the same literal cast outside a soft context
SELECT '{a@nope}'::likeset;
