--
-- COPY ... ON_ERROR ignore (PostgreSQL 17 and later; the Makefile runs this
-- file there only): a row with a bad likeset literal is skipped, the others
-- load.
--
CREATE TABLE copy_pages (id int PRIMARY KEY, likes likeset);
COPY copy_pages FROM STDIN WITH (ON_ERROR ignore);
1	{a@2026-01-01T00:00:00Z}
2	{a@nope}
3	{-b@2026-01-02T00:00:00Z,c@2026-01-03T00:00:00Z}
4	{unclosed@2026-01-01T00:00:00Z
\.
SELECT id, likes, likeset_count(likes) FROM copy_pages ORDER BY id;
DROP TABLE copy_pages;
