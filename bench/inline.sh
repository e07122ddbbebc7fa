#!/bin/sh
# bench/inline.sh: the side test quoted in README's Performance section.
# Likes and membership at 200 likes per page with the default storage
# against a table WITH (toast_tuple_target = 8160) and one whose column uses
# COMPRESSION lz4, next to a counter.  Each like adds a user, so pages grow
# during the runs (5 s each), past the 2 kB where PostgreSQL tries to
# compress a row.
# Runs against an existing server with the extension installed:
#   PGHOST=/tmp PGPORT=5432 PGUSER=postgres sh bench/inline.sh
set -eu
bin=${PGBIN:-$(pg_config --bindir)}
db=${PGDATABASE:-postgres}
"$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS likeset;
DROP TABLE IF EXISTS lp_ext, lp_inline, lp_lz4, lp_counter;
CREATE TABLE lp_ext (page_id int PRIMARY KEY, likes likeset NOT NULL);
CREATE TABLE lp_inline (page_id int PRIMARY KEY, likes likeset NOT NULL) WITH (toast_tuple_target = 8160);
CREATE TABLE lp_lz4 (page_id int PRIMARY KEY, likes likeset COMPRESSION lz4 NOT NULL);
CREATE TABLE lp_counter (page_id int PRIMARY KEY, n int);
INSERT INTO lp_ext SELECT p, likeset_agg('user' || (100000 + u), '2026-01-01'::timestamptz + (random() * 1e6)::int * interval '1 s')
	FROM generate_series(1, 1000) p, generate_series(1, 200) u GROUP BY p;
INSERT INTO lp_inline SELECT * FROM lp_ext;
INSERT INTO lp_lz4 SELECT * FROM lp_ext;
INSERT INTO lp_counter SELECT p, 200 FROM generate_series(1, 1000) p;
VACUUM ANALYZE lp_ext, lp_inline, lp_lz4, lp_counter;
SQL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '\\set p random(1, 1000)\nUPDATE lp_counter SET n = n + 1 WHERE page_id = :p;\n' > "$tmp/like_counter.sql"
for t in lp_ext lp_inline lp_lz4; do
	printf '\\set p random(1, 1000)\n\\set u random(300001, 999999)\nUPDATE %s SET likes = likes + ('"'"'user'"'"' || :u) WHERE page_id = :p;\n' "$t" > "$tmp/like_$t.sql"
	printf '\\set p random(1, 1000)\n\\set u random(100001, 100400)\nSELECT likes @> ('"'"'user'"'"' || :u) FROM %s WHERE page_id = :p;\n' "$t" > "$tmp/member_$t.sql"
done
run() { PGOPTIONS="-c synchronous_commit=off" "$bin/pgbench" -n -M prepared -c 2 -j 2 -T 5 -f "$1" "$db" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
echo "like, tx/s:       counter $(run "$tmp/like_counter.sql")  default storage $(run "$tmp/like_lp_ext.sql")  toast_tuple_target=8160 $(run "$tmp/like_lp_inline.sql")  lz4 $(run "$tmp/like_lp_lz4.sql")  counter $(run "$tmp/like_counter.sql")"
echo "membership, tx/s: default storage $(run "$tmp/member_lp_ext.sql")  toast_tuple_target=8160 $(run "$tmp/member_lp_inline.sql")  lz4 $(run "$tmp/member_lp_lz4.sql")"
"$bin/psql" -X -q -d "$db" -Atc "SELECT 'likes per page at the end: ' || avg(likeset_count(likes))::int || ', stored bytes ' || avg(pg_column_size(likes))::int FROM lp_ext"
"$bin/psql" -X -q -d "$db" -c "DROP TABLE lp_ext, lp_inline, lp_lz4, lp_counter"
