#!/bin/sh
# bench/gin.sh: "which pages did user X like?" (issue 7).  The same likes
# kept two ways side by side in one run on a temporary server of its own:
#   gin    pages(page_id int primary key, likes likeset) with a GIN index
#          (likeset_gin_ops, over the present elements), queried with
#          SELECT page_id FROM pages WHERE likes @> $user
#   btree  a normalized table norm_likes(page_id, user_id) with its primary
#          key and a B-tree index on user_id, queried with
#          SELECT page_id FROM norm_likes WHERE user_id = $user
# Measured: the median (and 95th percentile) latency of the query over many
# random users, each index's size and build time, and the ratios; then what
# the index costs a like: time and WAL of a like on the indexed column,
# on a copy of it without the index, and of an insert into norm_likes.
#
# Run as an unprivileged user (initdb refuses root); bench/run.sh calls it
# at the end, so `make bench` runs it.  Writes bench/out/gin.csv
# (workload,size,approach,metric,value,unit, as results.csv) and
# bench/out/gin.md (the table, also printed).
#
# Environment:
#   PGBIN              the server's bin directory (default: pg_config --bindir)
#   BENCH_GIN_PORT     the server's port (default 54620); it listens only on
#                      a Unix socket in a fresh temporary directory
#   BENCH_GIN_PAGES    pages (default 20000)
#   BENCH_GIN_LIKES    likes drawn per page (default 50; repeats merge)
#   BENCH_GIN_USERS    users the likes are drawn from (default 100000)
#   BENCH_GIN_QUERIES  queries per approach and round (default 10000)
#
# Method:
#   - Data: every page draws BENCH_GIN_LIKES users uniformly from
#     BENCH_GIN_USERS (repeats merge, so slightly fewer likes), each with a
#     timestamp in June 2026; the likeset also holds a tombstone for every
#     tenth draw's worth of other users (older unlikes, January 2026), which
#     the GIN index leaves out and the normalized table does not hold.  Both
#     layouts hold the same present likes, checked before measuring; the
#     answers of both queries are compared for 500 random users.
#   - Builds: each index is built three times, alternately, with
#     maintenance_work_mem = 256MB and no parallel workers (PostgreSQL
#     before 18 cannot build GIN in parallel); the figure is the median.
#   - Queries: pgbench, one client, -M prepared, the same random users for
#     both (a fixed --random-seed per round); an untimed warm-up, then three
#     rounds whose order alternates.  Everything fits in shared_buffers, so
#     this compares warm-cache latencies.  The plans, with default settings,
#     are checked to use the indexes and recorded in gin.md.
#   - Likes: a new user likes a random page (likeset_add without a
#     timestamp; for norm_likes an insert), pgbench as above with
#     synchronous_commit=off, three rounds of 2,000 each in rotating order
#     after a warm-up; median and mean time (the mean includes the flushes
#     of GIN's pending list) and WAL per like (pg_current_wal_insert_lsn).
#   - autovacuum is off; VACUUM ANALYZE runs after the load and the builds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
port=${BENCH_GIN_PORT:-54620}
npages=${BENCH_GIN_PAGES:-20000}
nlikes=${BENCH_GIN_LIKES:-50}
nusers=${BENCH_GIN_USERS:-100000}
nqueries=${BENCH_GIN_QUERIES:-10000}
# likes per approach and round, for the cost of a like with the index
nlikeq=2000
rounds=3
builds=3
if [ -z "${PGBIN:-}" ]; then
	PGBIN=$(pg_config --bindir 2>/dev/null) || PGBIN=""
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "bench/gin.sh: run me as an unprivileged user (initdb refuses root), or use 'make bench'" >&2
	exit 1
fi
for prog in initdb pg_ctl psql pgbench; do
	if [ ! -x "$PGBIN/$prog" ]; then
		echo "bench/gin.sh: ${PGBIN:-?}/$prog not found; set PGBIN to the server's bin directory" >&2
		exit 1
	fi
done
for v in "$port" "$npages" "$nlikes" "$nusers" "$nqueries"; do
	case $v in
		'' | *[!0-9]* | 0)
			echo "bench/gin.sh: BENCH_GIN_PORT, _PAGES, _LIKES, _USERS and _QUERIES must be positive integers" >&2
			exit 1 ;;
	esac
done

# Settings from the caller's environment must not redirect our connections.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE \
	PGOPTIONS PGPASSWORD PGPASSFILE PGSSLMODE PGDATA PGTZ PGDATESTYLE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/likeset-gin-db.XXXXXX")
db=$tmp/db
logs=$tmp/logs
started=false

cleanup()
{
	status=$?
	trap - EXIT
	trap '' INT TERM HUP
	if $started; then
		if [ "$status" -ne 0 ] && [ -s "$tmp/server.log" ]; then
			echo "bench/gin.sh: the end of the server's log:" >&2
			tail -n 15 "$tmp/server.log" >&2
		fi
		"$PGBIN/pg_ctl" -D "$db" -s -m fast -t 30 stop >/dev/null 2>&1 ||
			"$PGBIN/pg_ctl" -D "$db" -s -m immediate stop >/dev/null 2>&1 || true
	fi
	cd /
	rm -rf "$tmp"
	if [ "$status" -ne 0 ]; then
		echo "bench/gin.sh: failed (exit status $status)" >&2
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cd "$tmp"
mkdir -p "$logs" "$out"
rm -f "$out/gin.csv" "$out/gin.md"
t_start=$(date +%s)

say()
{
	printf '== [gin %4ds] %s\n' $(($(date +%s) - t_start)) "$*"
}

# psql_run [OPTION...]: psql on the bench database, quiet, stopping at the first error
psql_run()
{
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off -h "$tmp" -p "$port" -d postgres "$@"
}

# q SQL: one query's rows, unaligned
q()
{
	psql_run -At -c "$1"
}

# median / p95: of the numbers on stdin, one per line
median()
{
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "NaN"; exit }
		if (NR % 2) printf "%.6g\n", v[(NR + 1) / 2]
		else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
p95()
{
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "NaN"; exit }
		i = int(NR * 0.95); if (i < 1) i = 1
		printf "%.6g\n", v[i] }'
}

mean()
{
	awk '{ s += $1 } END { if (NR == 0) print "NaN"; else printf "%.3g\n", s / NR }'
}

# emit APPROACH METRIC VALUE UNIT: one row of gin.csv
emit()
{
	printf 'gin_user_pages,%s,%s,%s,%s,%s\n' "$npages" "$@" >>"$out/gin.csv"
}

# ratio A B: A ÷ B with two decimals
ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "NaN"; else printf "%.2f\n", a / b }'
}

# pgb TAG SCRIPT SEED TRANSACTIONS: a pgbench run (one client, prepared,
# session options $pgb_opts); its per-transaction log goes to $logs/TAG.log.*
pgb_opts=
pgb()
{
	if ! PGOPTIONS="$pgb_opts" "$PGBIN/pgbench" -h "$tmp" -p "$port" -n -M prepared -c 1 \
		--random-seed="$3" -t "$4" -l --log-prefix="$logs/$1.log" -f "$2" postgres \
		>"$logs/$1.out" 2>&1; then
		echo "bench/gin.sh: pgbench $1 failed:" >&2
		tail -n 20 "$logs/$1.out" >&2
		exit 1
	fi
	if grep -q 'number of failed transactions: [1-9]' "$logs/$1.out"; then
		echo "bench/gin.sh: pgbench $1 had failed transactions" >&2
		exit 1
	fi
}

# latencies TAG-PREFIX: every transaction's latency in ms, one per line
latencies()
{
	cat "$logs/$1"*.log.* | awk '{ print $3 / 1000 }'
}

# build_ms STATEMENT: the time of one statement in ms
build_ms()
{
	psql_run -At <<EOF
SELECT clock_timestamp() AS t0 \gset
$1;
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz), 1);
EOF
}

# --- the server ---------------------------------------------------------
say "temporary server: initdb in $tmp, port $port, Unix socket only"
"$PGBIN/initdb" -D "$db" -A trust -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 || {
	cat "$tmp/initdb.log" >&2
	exit 1
}
cat >>"$db/postgresql.conf" <<EOF
# bench/gin.sh: everything in shared_buffers; no autovacuum; index builds
# without parallel workers, with the same memory for both
listen_addresses = ''
unix_socket_directories = '$tmp'
port = $port
shared_buffers = 512MB
max_wal_size = 8GB
checkpoint_timeout = 1d
autovacuum = off
maintenance_work_mem = 256MB
max_parallel_maintenance_workers = 0
EOF
"$PGBIN/pg_ctl" -D "$db" -l "$tmp/server.log" -s -w -t 60 start
started=true
q "CREATE EXTENSION likeset" >/dev/null
pgversion=$(q "SHOW server_version")
settings=$(q "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'maintenance_work_mem',
		'max_parallel_maintenance_workers', 'work_mem', 'random_page_cost', 'effective_cache_size')")
say "PostgreSQL $pgversion: $settings"
printf 'workload,size,approach,metric,value,unit\n' >"$out/gin.csv"

# --- data ---------------------------------------------------------------
say "loading $npages pages x $nlikes likes from $nusers users, both layouts"
psql_run -v npages="$npages" -v nlikes="$nlikes" -v nusers="$nusers" <<'EOF'
SELECT setseed(0.42) \gset
CREATE TABLE norm_likes (page_id int NOT NULL, user_id text NOT NULL,
	ts timestamptz NOT NULL);
INSERT INTO norm_likes
SELECT page_id, user_id, min(ts)
FROM (SELECT p AS page_id, 'u' || (1 + floor(random() * :nusers)::int) AS user_id,
			 '2026-06-01 00:00:00+00'::timestamptz + random() * interval '30 days' AS ts
	  FROM generate_series(1, :npages) AS p, generate_series(1, :nlikes) AS k) AS d
GROUP BY page_id, user_id;
-- older unlikes of other users: tombstones in the likeset (an unlike older
-- than a like of the same user loses to it, as in the normalized table)
CREATE TEMP TABLE unlikes AS
SELECT p AS page_id, 'u' || (1 + floor(random() * :nusers)::int) AS user_id,
	   '2026-01-01 00:00:00+00'::timestamptz + random() * interval '30 days' AS ts
FROM generate_series(1, :npages) AS p, generate_series(1, greatest(1, :nlikes / 10)) AS k;
CREATE TABLE pages (page_id int PRIMARY KEY, likes likeset NOT NULL);
INSERT INTO pages
SELECT page_id, likeset_agg(user_id, ts, removed)
FROM (SELECT page_id, user_id, ts, false AS removed FROM norm_likes
	  UNION ALL
	  SELECT page_id, user_id, ts, true FROM unlikes) AS o
GROUP BY page_id;
ALTER TABLE norm_likes ADD PRIMARY KEY (page_id, user_id);
-- the same pages without a GIN index, for the cost of a like without it
CREATE TABLE pages_plain (page_id int PRIMARY KEY, likes likeset NOT NULL);
INSERT INTO pages_plain SELECT * FROM pages;
VACUUM ANALYZE pages, pages_plain, norm_likes;
EOF
set -- $(q "SELECT (SELECT sum(likeset_count(likes)) FROM pages), (SELECT count(*) FROM norm_likes),
	(SELECT sum(likeset_nentries(likes) - likeset_count(likes)) FROM pages),
	(SELECT count(DISTINCT user_id) FROM norm_likes)" | tr '|' ' ')
if [ "$1" != "$2" ]; then
	echo "bench/gin.sh: the layouts disagree: $1 likes in pages, $2 in norm_likes" >&2
	exit 1
fi
present=$1
tombstones=$3
likers=$4
say "$present likes ($likers users who like something), $tombstones tombstones"

# --- index builds -----------------------------------------------------------
gin_stmt="CREATE INDEX pages_likes_gin ON pages USING gin (likes)"
btree_stmt="CREATE INDEX norm_likes_user_idx ON norm_likes (user_id)"
: >"$logs/build.gin"
: >"$logs/build.btree"
b=1
while [ "$b" -le "$builds" ]; do
	say "index builds, round $b of $builds"
	build_ms "$gin_stmt" >>"$logs/build.gin"
	build_ms "$btree_stmt" >>"$logs/build.btree"
	if [ "$b" -lt "$builds" ]; then
		q "DROP INDEX pages_likes_gin; DROP INDEX norm_likes_user_idx" >/dev/null
	fi
	b=$((b + 1))
done
q "VACUUM ANALYZE pages, norm_likes" >/dev/null
gin_build=$(median <"$logs/build.gin")
btree_build=$(median <"$logs/build.btree")
gin_size=$(q "SELECT pg_relation_size('pages_likes_gin')")
btree_size=$(q "SELECT pg_relation_size('norm_likes_user_idx')")
gin_table=$(q "SELECT pg_total_relation_size('pages')")
btree_table=$(q "SELECT pg_total_relation_size('norm_likes')")

# --- same answers, and the plans ----------------------------------------------
say "checks: both queries give the same pages for 500 random users; the plans use the indexes"
bad=$(q "SELECT setseed(0.7); SELECT count(*) FILTER (WHERE a IS DISTINCT FROM b)
	FROM (SELECT ARRAY(SELECT page_id FROM pages WHERE likes @> u ORDER BY 1) AS a,
				 ARRAY(SELECT page_id FROM norm_likes WHERE user_id = u ORDER BY 1) AS b
		  FROM (SELECT 'u' || (1 + floor(random() * $nusers)::int) AS u
				FROM generate_series(1, 500)) AS s) AS x" | tail -n 1)
if [ "$bad" != 0 ]; then
	echo "bench/gin.sh: the two queries disagree for $bad of 500 users" >&2
	exit 1
fi
# plan_of QUERY: the plan's node lines, joined with " / "
plan_of()
{
	q "EXPLAIN (COSTS OFF) $1" | sed -e 's/^ *//' -e 's/^-> *//' | grep -v -e '^Recheck Cond' -e '^Index Cond' |
		awk 'NR > 1 { printf " / " } { printf "%s", $0 } END { print "" }'
}
# generic_plan_of QUERY-WITH-$1: the same, for the generic plan of the
# prepared statement (as pgbench -M prepared may end up using)
generic_plan_of()
{
	printf '%s\n' "SET plan_cache_mode = force_generic_plan;" "PREPARE q(text) AS $1;" \
		"EXPLAIN (COSTS OFF) EXECUTE q('u1');" |
		psql_run -At | sed -e 's/^ *//' -e 's/^-> *//' | grep -v -e '^Recheck Cond' -e '^Index Cond' -e '^$' |
		awk 'NR > 1 { printf " / " } { printf "%s", $0 } END { print "" }'
}
gin_plan=$(plan_of "SELECT page_id FROM pages WHERE likes @> 'u1'")
btree_plan=$(plan_of "SELECT page_id FROM norm_likes WHERE user_id = 'u1'")
gin_gplan=$(generic_plan_of "SELECT page_id FROM pages WHERE likes @> \$1")
btree_gplan=$(generic_plan_of "SELECT page_id FROM norm_likes WHERE user_id = \$1")
case "$gin_plan $gin_gplan" in
	*"Bitmap Index Scan on pages_likes_gin"*"Bitmap Index Scan on pages_likes_gin"*) ;;
	*)
		echo "bench/gin.sh: the GIN query does not use the index: $gin_plan; generic: $gin_gplan" >&2
		exit 1 ;;
esac
case "$btree_plan $btree_gplan" in
	*norm_likes_user_idx*norm_likes_user_idx*) ;;
	*)
		echo "bench/gin.sh: the B-tree query does not use the index: $btree_plan; generic: $btree_gplan" >&2
		exit 1 ;;
esac

# --- queries -------------------------------------------------------------------
cat >"$tmp/gin.pgbench" <<EOF
\set u random(1, $nusers)
SELECT page_id FROM pages WHERE likes @> ('u' || :u);
EOF
cat >"$tmp/btree.pgbench" <<EOF
\set u random(1, $nusers)
SELECT page_id FROM norm_likes WHERE user_id = ('u' || :u);
EOF
say "warm-up: $((nqueries / 5)) queries each"
pgb warm.gin "$tmp/gin.pgbench" 1 $((nqueries / 5))
pgb warm.btree "$tmp/btree.pgbench" 1 $((nqueries / 5))
r=1
while [ "$r" -le "$rounds" ]; do
	say "queries, round $r of $rounds: $nqueries random users each"
	if [ $((r % 2)) -eq 1 ]; then order="gin btree"; else order="btree gin"; fi
	for a in $order; do
		pgb "q.$a.r$r" "$tmp/$a.pgbench" $((100 + r)) "$nqueries"
	done
	r=$((r + 1))
done
gin_p50=$(latencies q.gin.r | median)
btree_p50=$(latencies q.btree.r | median)
gin_p95=$(latencies q.gin.r | p95)
btree_p95=$(latencies q.btree.r | p95)
rows_per_user=$(q "SELECT round(count(*)::numeric / $nusers, 2) FROM norm_likes")

# --- what the index costs a like ---------------------------------------------------
# a new user likes a random page: the likeset row with the GIN index, the
# same without it, and an insert into the normalized table with its two
# B-tree indexes; synchronous_commit=off, as bench/run.sh's write workloads
cat >"$tmp/like_gin.pgbench" <<EOF
\set p random(1, $npages)
\set u random(1, 1000000000)
UPDATE pages SET likes = likeset_add(likes, 'v' || :u) WHERE page_id = :p;
EOF
sed 's/UPDATE pages /UPDATE pages_plain /' "$tmp/like_gin.pgbench" >"$tmp/like_plain.pgbench"
cat >"$tmp/like_btree.pgbench" <<EOF
\set p random(1, $npages)
\set u random(1, 1000000000)
INSERT INTO norm_likes VALUES (:p, 'v' || :u, now()) ON CONFLICT DO NOTHING;
EOF
pgb_opts="-c synchronous_commit=off"
for a in gin plain btree; do
	: >"$logs/likewal.$a"
	pgb "likewarm.$a" "$tmp/like_$a.pgbench" 1 $((nlikeq / 10))
done
r=1
while [ "$r" -le "$rounds" ]; do
	say "likes, round $r of $rounds: $nlikeq likes each"
	case $((r % 3)) in
		1) order="gin plain btree" ;;
		2) order="plain btree gin" ;;
		*) order="btree gin plain" ;;
	esac
	for a in $order; do
		l0=$(q "SELECT pg_current_wal_insert_lsn()")
		pgb "like.$a.r$r" "$tmp/like_$a.pgbench" $((200 + r)) "$nlikeq"
		q "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$l0')" >>"$logs/likewal.$a"
	done
	r=$((r + 1))
done
pgb_opts=
for a in gin plain btree; do
	emit "$a" like_p50_latency "$(latencies "like.$a.r" | median)" ms
	emit "$a" like_mean_latency "$(latencies "like.$a.r" | mean)" ms
	emit "$a" like_wal_bytes "$(awk -v n=$((rounds * nlikeq)) '{ s += $1 } END { printf "%.0f\n", s / n }' "$logs/likewal.$a")" B
done
# fig APPROACH METRIC: a figure of gin.csv
fig()
{
	awk -F, -v a="$1" -v m="$2" '$3 == a && $4 == m { print $5 }' "$out/gin.csv"
}

emit gin p50_latency "$gin_p50" ms
emit btree p50_latency "$btree_p50" ms
emit gin p95_latency "$gin_p95" ms
emit btree p95_latency "$btree_p95" ms
emit gin index_bytes "$gin_size" B
emit btree index_bytes "$btree_size" B
emit gin build_ms "$gin_build" ms
emit btree build_ms "$btree_build" ms
emit gin table_total_bytes "$gin_table" B
emit btree table_total_bytes "$btree_table" B
emit all present_likes "$present" likes
emit all tombstones "$tombstones" entries
emit all pages_per_user "$rows_per_user" rows

# --- report -----------------------------------------------------------------------
say "report"
elapsed=$(($(date +%s) - t_start))
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
# num N: a whole number with thousands separators
num()
{
	awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); r = ""
		while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
		print s r }'
}
mb()
{
	awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1048576 }'
}
{
	cat <<EOF
# "Which pages did user X like?": GIN on likeset against a B-tree on a normalized table

$(num "$npages") pages, $nlikes likes drawn per page from $(num "$nusers") users: $(num "$present") likes
(on average $rows_per_user pages per user), and $(num "$tombstones") tombstones in the
likesets (not indexed). Median and 95th percentile latency over
$(num $((rounds * nqueries))) queries per approach (pgbench, one client, \`-M prepared\`,
random users, warm cache); builds: median of $builds.

| approach | query | index size | index build | median latency | p95 latency |
|---|---|--:|--:|--:|--:|
| likeset column + GIN (\`likeset_gin_ops\`) | \`likes @> \$user\` | $(mb "$gin_size") | $(num "$gin_build") ms | ${gin_p50} ms | ${gin_p95} ms |
| normalized \`(page_id, user_id)\` + B-tree on \`user_id\` | \`user_id = \$user\` | $(mb "$btree_size") | $(num "$btree_build") ms | ${btree_p50} ms | ${btree_p95} ms |
| **GIN ÷ B-tree** | | **$(ratio "$gin_size" "$btree_size")×** | **$(ratio "$gin_build" "$btree_build")×** | **$(ratio "$gin_p50" "$btree_p50")×** | **$(ratio "$gin_p95" "$btree_p95")×** |

Whole tables with all their indexes: pages $(mb "$gin_table") (heap, TOAST, primary key, GIN);
norm_likes $(mb "$btree_table") (heap, primary key on (page_id, user_id), index on user_id);
ratio $(ratio "$gin_table" "$btree_table")×.

What the index costs a like (a new user likes a random page; $(num $((rounds * nlikeq))) likes each,
\`synchronous_commit = off\`; the mean includes GIN's pending-list flushes):

| like | median | mean | WAL per like |
|---|--:|--:|--:|
| likeset column with the GIN index | $(fig gin like_p50_latency) ms | $(fig gin like_mean_latency) ms | $(num "$(fig gin like_wal_bytes)") B |
| likeset column without it | $(fig plain like_p50_latency) ms | $(fig plain like_mean_latency) ms | $(num "$(fig plain like_wal_bytes)") B |
| normalized insert (primary key + user index) | $(fig btree like_p50_latency) ms | $(fig btree like_mean_latency) ms | $(num "$(fig btree like_wal_bytes)") B |
| **with GIN ÷ without** | **$(ratio "$(fig gin like_p50_latency)" "$(fig plain like_p50_latency)")×** | **$(ratio "$(fig gin like_mean_latency)" "$(fig plain like_mean_latency)")×** | **$(ratio "$(fig gin like_wal_bytes)" "$(fig plain like_wal_bytes)")×** |

Plans (default settings; custom plan, then the generic plan of the prepared statement):

- GIN: $gin_plan; generic: $gin_gplan
- B-tree: $btree_plan; generic: $btree_gplan

Both queries returned the same pages for 500 random users.

PostgreSQL $pgversion ($settings); $(date -u '+%Y-%m-%d %H:%M UTC'); ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') cores; ${elapsed} s.
EOF
} >"$out/gin.md"
cat "$out/gin.md"
say "done in ${elapsed} s: $out/gin.csv, $out/gin.md"
