#!/bin/sh
# bench/run.sh: likeset against what a user would otherwise pick (a counter
# column, a normalized last-writer-wins table, a jsonb map), measured side by
# side in one run on a temporary server of its own.
#
# Run as an unprivileged user (initdb refuses root); `make bench` installs
# what it needs, builds and installs the extension, and arranges that.
# Writes bench/out/results.csv (workload,size,approach,metric,value,unit),
# bench/out/results.md (the table of ratios and the targets, also printed)
# and bench/out/cost_vs_size.png (gnuplot); then runs bench/large.sh (large
# sets, on a server of its own: bench/out/large.csv and large.md),
# bench/gin.sh (the GIN index against a B-tree on a normalized table:
# bench/out/gin.csv and gin.md) and bench/apply.sh (a subscriber's catch-up,
# the logical replication apply rate of likes, on two servers of its own:
# bench/out/apply.csv and apply.md).
#
# Environment:
#   PGBIN           the server's bin directory (default: pg_config --bindir)
#   BENCH_PORT      the server's port (default 54600); it listens only on a
#                   Unix socket in a fresh temporary directory
#   BENCH_ROUNDS    rounds of each pgbench comparison (default 3)
#   BENCH_SECONDS   seconds of each throughput run (default 1; twice that
#                   for writes at 100,000 likes per page, where one like
#                   takes a hundred milliseconds or more)
#   BENCH_CLIENTS   pgbench clients (and threads) of throughput runs (default 2)
#
# Method: each workload runs the four approaches one after the other, in
# BENCH_ROUNDS rounds whose order rotates, so noise hits them alike; a figure
# is the median over the rounds (throughput) or over every transaction
# (latency, query time).  Ratios compare figures of this one run only.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$here/out
port=${BENCH_PORT:-54600}
rounds=${BENCH_ROUNDS:-3}
secs=${BENCH_SECONDS:-1}
clients=${BENCH_CLIENTS:-2}
# likes per page : pages, per set size
layout="10:10000 200:1000 10000:20 100000:5"
# the merge workload: replicas x entries, drawn from a universe of users
replicas=100
entries=10000
universe=200000
if [ -z "${PGBIN:-}" ]; then
	PGBIN=$(pg_config --bindir 2>/dev/null) || PGBIN=""
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "bench/run.sh: run me as an unprivileged user (initdb refuses root), or use 'make bench'" >&2
	exit 1
fi
for prog in initdb pg_ctl psql pgbench; do
	if [ ! -x "$PGBIN/$prog" ]; then
		echo "bench/run.sh: ${PGBIN:-?}/$prog not found; set PGBIN to the server's bin directory" >&2
		exit 1
	fi
done
for v in "$port" "$rounds" "$secs" "$clients"; do
	case $v in
		'' | *[!0-9]* | 0)
			echo "bench/run.sh: BENCH_PORT, BENCH_ROUNDS, BENCH_SECONDS and BENCH_CLIENTS must be positive integers" >&2
			exit 1 ;;
	esac
done
CC=${CC:-cc}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "bench/run.sh: no C compiler ($CC) for bench/floor.c" >&2
	exit 1
fi
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "bench/run.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2
	exit 1
fi

# Settings from the caller's environment must not redirect our connections.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE \
	PGOPTIONS PGPASSWORD PGPASSFILE PGSSLMODE PGDATA PGTZ PGDATESTYLE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/likeset-bench-db.XXXXXX")
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
			echo "bench/run.sh: the end of the server's log:" >&2
			tail -n 15 "$tmp/server.log" >&2
		fi
		"$PGBIN/pg_ctl" -D "$db" -s -m fast -t 30 stop >/dev/null 2>&1 ||
			"$PGBIN/pg_ctl" -D "$db" -s -m immediate stop >/dev/null 2>&1 || true
	fi
	cd /
	rm -rf "$tmp"
	if [ "$status" -ne 0 ]; then
		echo "bench/run.sh: failed (exit status $status)" >&2
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cd "$tmp"
mkdir -p "$logs" "$out"
rm -f "$out/results.csv" "$out/results.md" "$out/cost_vs_size.png"
t_start=$(date +%s)

say()
{
	printf '== [%4ds] %s\n' $(($(date +%s) - t_start)) "$*"
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

# median: the median of the numbers on stdin, one per line
median()
{
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "NaN"; exit }
		if (NR % 2) printf "%.6g\n", v[(NR + 1) / 2]
		else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# emit WORKLOAD SIZE APPROACH METRIC VALUE UNIT: one row of results.csv
emit()
{
	printf '%s,%s,%s,%s,%s,%s\n' "$@" >>"$out/results.csv"
}

# rotate K WORD...: the words, rotated left by K - 1 places
rotate()
{
	_k=$(( ($1 - 1) % ($# - 1) ))
	shift
	while [ "$_k" -gt 0 ]; do
		_first=$1
		shift
		set -- "$@" "$_first"
		_k=$((_k - 1))
	done
	echo "$@"
}

# pgb TAG SCHEMA SCRIPT OPTIONS PGBENCH-ARG...: run a pgbench script with
# search_path SCHEMA and the session OPTIONS (-c name=value ...); its
# output goes to $logs/TAG.out, its per-transaction log to $logs/TAG.log.*;
# sets pgb_tps
pgb()
{
	_tag=$1
	_schema=$2
	_script=$3
	_opts=$4
	shift 4
	if ! PGOPTIONS="-c search_path=$_schema,public $_opts" "$PGBIN/pgbench" -h "$tmp" -p "$port" \
		-n -M prepared -l --log-prefix="$logs/$_tag.log" -f "$_script" "$@" postgres \
		>"$logs/$_tag.out" 2>&1; then
		echo "bench/run.sh: pgbench $_tag failed:" >&2
		tail -n 20 "$logs/$_tag.out" >&2
		exit 1
	fi
	if grep -q 'number of failed transactions: [1-9]' "$logs/$_tag.out"; then
		echo "bench/run.sh: pgbench $_tag had failed transactions" >&2
		exit 1
	fi
	pgb_tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$logs/$_tag.out" | tail -n 1)
}

# latencies TAG-PREFIX: every transaction's latency in µs from the logs of
# the runs whose tag starts with TAG-PREFIX
latencies()
{
	cat "$logs/$1".*.log.* | awk '{ print $3 }'
}

# throughput WORKLOAD SCRIPT-PREFIX SIZE PAGES SECONDS OPTIONS APPROACH...:
# pgbench runs of SECONDS with $clients clients, interleaved over $rounds
# rounds; records the median tps of the rounds and the median latency
throughput()
{
	_wl=$1
	_sp=$2
	_size=$3
	_pages=$4
	_secs=$5
	_o=$6
	shift 6
	_r=1
	while [ "$_r" -le "$rounds" ]; do
		for _a in $(rotate "$_r" "$@"); do
			pgb "$_wl.$_size.$_a.r$_r" "sz$_size" "$here/pgbench/${_sp}_$_a.sql" "$_o" \
				-c "$clients" -j "$clients" -T "$_secs" -D pages="$_pages" -D size="$_size"
			echo "$pgb_tps" >>"$logs/$_wl.$_size.$_a.tps"
		done
		_r=$((_r + 1))
	done
	for _a in "$@"; do
		emit "$_wl" "$_size" "$_a" tps "$(median <"$logs/$_wl.$_size.$_a.tps")" tx/s
		emit "$_wl" "$_size" "$_a" p50_latency "$(latencies "$_wl.$_size.$_a" | median)" us
	done
}

# timed WORKLOAD SCHEMA SIZE PAGES TXNS OPTIONS APPROACH...: one client
# running the query TXNS times per round, interleaved over $rounds rounds
# after one untimed warm-up run each (unless warmup=false); records the
# median time.  The approach c_floor is bench/floor.c (built as $tmp/floor,
# merging $tmp/states.txt), 3 merges a round.
warmup=true
timed()
{
	_wl=$1
	_schema=$2
	_size=$3
	_pages=$4
	_n=$5
	_o=$6
	shift 6
	for _a in "$@"; do
		if $warmup && [ "$_a" != c_floor ]; then
			pgb "warmup.$_wl.$_size.$_a" "$_schema" "$here/pgbench/${_wl}_$_a.sql" "$_o" \
				-c 1 -t 1 -D pages="$_pages" -D size="$_size"
		fi
	done
	_r=1
	while [ "$_r" -le "$rounds" ]; do
		for _a in $(rotate "$_r" "$@"); do
			if [ "$_a" = c_floor ]; then
				# median of 3 merges, as milliseconds; the log holds µs like pgbench's
				"$tmp/floor" "$tmp/states.txt" 3 >"$logs/$_wl.$_size.$_a.r$_r.out"
				awk '{ printf "0 0 %d\n", $1 * 1000 }' "$logs/$_wl.$_size.$_a.r$_r.out" \
					>"$logs/$_wl.$_size.$_a.r$_r.log.0"
			else
				pgb "$_wl.$_size.$_a.r$_r" "$_schema" "$here/pgbench/${_wl}_$_a.sql" "$_o" \
					-c 1 -t "$_n" -D pages="$_pages" -D size="$_size"
			fi
		done
		_r=$((_r + 1))
	done
	for _a in "$@"; do
		emit "$_wl" "$_size" "$_a" median_time "$(latencies "$_wl.$_size.$_a" | awk '{ print $1 / 1000 }' | median)" ms
	done
}

# write_seconds SIZE: length of a write run at SIZE (longer where one like
# takes a hundred milliseconds or more)
write_seconds()
{
	if [ "$1" -ge 100000 ]; then echo $((secs * 2)); else echo "$secs"; fi
}
layout_desc=$(for sp in $layout; do printf '%s likes × %s pages, ' "${sp%%:*}" "${sp#*:}"; done)
layout_desc=${layout_desc%, }
runs_desc="runs of $secs s ($((secs * 2)) s for writes at 100,000)"

all4="counter likeset normalized jsonb"
sets3="likeset normalized jsonb"
async="-c synchronous_commit=off"
bigmem="-c work_mem=256MB"

# --- the server ---------------------------------------------------------
say "temporary server: initdb in $tmp, port $port, Unix socket only"
"$PGBIN/initdb" -D "$db" -A trust -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 || {
	cat "$tmp/initdb.log" >&2
	exit 1
}
cat >>"$db/postgresql.conf" <<EOF
# bench/run.sh: everything else keeps its default (fsync, full_page_writes,
# synchronous_commit, work_mem, JIT, autovacuum ...)
listen_addresses = ''
unix_socket_directories = '$tmp'
port = $port
shared_buffers = 256MB
max_wal_size = 8GB
EOF
"$PGBIN/pg_ctl" -D "$db" -l "$tmp/server.log" -s -w -t 60 start
started=true
q "CREATE EXTENSION likeset" >/dev/null
pgversion=$(q "SHOW server_version")
settings=$(q "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size', 'fsync', 'synchronous_commit',
		'full_page_writes', 'work_mem', 'jit', 'default_toast_compression', 'lc_collate')")
say "PostgreSQL $pgversion: $settings"

printf 'workload,size,approach,metric,value,unit\n' >"$out/results.csv"

# --- data ---------------------------------------------------------------
for sp in $layout; do
	size=${sp%%:*}
	pages=${sp#*:}
	say "loading $pages pages of $size likes each (normalized, likeset, jsonb, counter)"
	psql_run -v schema="sz$size" -v size="$size" -v pages="$pages" -f "$here/load.sql"
done
say "loading $replicas replica states of $entries entries from $universe users"
psql_run -v replicas="$replicas" -v entries="$entries" -v universe="$universe" -f "$here/merge_load.sql"

# --- storage, after VACUUM (load.sql ran it) ------------------------------
say "storage per like (pg_total_relation_size: heap, TOAST, indexes)"
for sp in $layout; do
	size=${sp%%:*}
	pages=${sp#*:}
	for a in $all4; do
		case $a in
			counter) t=counter_pages ;;
			likeset) t=likeset_pages ;;
			normalized) t=norm_likes ;;
			jsonb) t=jsonb_pages ;;
		esac
		emit storage "$size" "$a" bytes_per_like \
			"$(q "SELECT round(pg_total_relation_size('sz$size.$t') / ($size.0 * $pages), 2)")" B
	done
done

# --- building sets from the normalized table ------------------------------
for sp in $layout; do
	size=${sp%%:*}
	pages=${sp#*:}
	say "build from the normalized table, $size likes per page"
	timed build "sz$size" "$size" "$pages" 1 "$bigmem" counter likeset jsonb
done

# --- read-only workloads --------------------------------------------------
for sp in $layout; do
	size=${sp%%:*}
	pages=${sp#*:}
	say "membership and count of one page, $size likes per page"
	throughput member member "$size" "$pages" "$secs" "" $sets3
	throughput count1 count1 "$size" "$pages" "$secs" "" $all4
	say "counts of all pages, $size likes per page"
	if [ "$size" -ge 10000 ]; then n=5; else n=10; fi
	timed countall "sz$size" "$size" "$pages" "$n" "" $all4
done

# --- WAL per like -----------------------------------------------------------
# A batch of likes run one by one, after a CHECKPOINT and a warm-up batch of
# the same likes, so the figure is near the steady state (full-page images
# only of pages the warm-up did not touch).  WAL is shared by the whole
# server: autovacuum is off on every bench table meanwhile, so only the
# likes write it.  Batches: 2,000 likes, fewer where one like rewrites a
# large value.
# autovacuum_bench_tables CLAUSE: ALTER TABLE each table of the sz* schemas CLAUSE
autovacuum_bench_tables()
{
	q "DO \$\$ DECLARE t regclass; BEGIN
		FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				 WHERE n.nspname LIKE 'sz%' AND c.relkind = 'r' LOOP
			EXECUTE format('ALTER TABLE %s $1', t);
		END LOOP; END \$\$"
}
autovacuum_bench_tables "SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)"
for sp in $layout; do
	size=${sp%%:*}
	pages=${sp#*:}
	say "WAL per like, $size likes per page"
	for a in $all4; do
		case $a@$size in
			likeset@10000 | jsonb@10000) n=100 ;;
			likeset@100000 | jsonb@100000) n=10 ;;
			*) n=2000 ;;
		esac
		q "CHECKPOINT"
		pgb "walwarm.$size.$a" "sz$size" "$here/pgbench/like_$a.sql" "$async" \
			-c 1 -t "$n" -D pages="$pages" -D size="$size"
		lsn0=$(q "SELECT pg_current_wal_insert_lsn()")
		pgb "wal.$size.$a" "sz$size" "$here/pgbench/like_$a.sql" "$async" \
			-c 1 -t "$n" -D pages="$pages" -D size="$size"
		emit wal "$size" "$a" wal_bytes_per_like \
			"$(q "SELECT round(pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn0') / $n.0, 1)")" B
	done
done
autovacuum_bench_tables "RESET (autovacuum_enabled, toast.autovacuum_enabled)"

# --- write workloads ----------------------------------------------------------
for sp in $layout; do
	size=${sp%%:*}
	pages=${sp#*:}
	s=$(write_seconds "$size")
	say "like and unlike, $size likes per page, ${s} s runs"
	throughput like like "$size" "$pages" "$s" "$async" $all4
	if [ "$size" -eq 200 ]; then
		throughput like_sync like "$size" "$pages" "$s" "" $all4
	fi
	throughput unlike unlike "$size" "$pages" "$s" "$async" $all4
done

# --- merge of replica states ----------------------------------------------------
say "merge of $replicas states x $entries entries"
q "SELECT s FROM merge.ls_states ORDER BY replica" >"$tmp/states.txt"
"$CC" -O2 -Wall -Wextra -I"$top/src" -o "$tmp/floor" \
	"$here/floor.c" "$top/src/likeset_core.c" "$top/src/likeset_text.c"
set -- $("$tmp/floor" "$tmp/states.txt" 1)
floor_present=$4
# every approach must reach the same merged state (these runs are the warm-up)
m_ls=$(PGOPTIONS="$bigmem" psql_run -At -f "$here/pgbench/merge_likeset.sql")
m_norm=$(PGOPTIONS="$bigmem" psql_run -At -f "$here/pgbench/merge_normalized.sql")
m_js=$(PGOPTIONS="$bigmem" psql_run -At -f "$here/pgbench/merge_jsonb.sql")
if [ "$m_ls" != "$m_norm" ] || [ "$m_ls" != "${m_js%%|*}" ] || [ "$m_ls" != "$floor_present" ]; then
	echo "bench/run.sh: merged states disagree: likeset $m_ls, normalized $m_norm, jsonb ${m_js%%|*}, C floor $floor_present" >&2
	exit 1
fi
warmup=false
timed merge merge "$entries" 1 1 "$bigmem" $sets3 c_floor

# how much the sets changed during the run (likes add users, unlikes remove them)
for sp in $layout; do
	size=${sp%%:*}
	emit final_size "$size" likeset avg_present \
		"$(q "SELECT round(avg(likeset_count(likes)), 1) FROM sz$size.likeset_pages")" likes
done

# --- report ------------------------------------------------------------------------
say "report"
psql_run -c "CREATE TABLE bench_results (workload text, size int, approach text, metric text, value float8, unit text)"
psql_run -c "COPY bench_results FROM STDIN WITH (FORMAT csv, HEADER)" <"$out/results.csv"
elapsed=$(($(date +%s) - t_start))
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
psql_run -At \
	-v pgversion="$pgversion" -v settings="$settings" -v rounds="$rounds" -v runs="$runs_desc" \
	-v clients="$clients" -v layout="$layout_desc" -v elapsed="$elapsed" \
	-v cpu="${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') cores" \
	-v merged="$m_ls" -v rundate="$(date -u '+%Y-%m-%d %H:%M UTC')" \
	-f "$here/report.sql" >"$out/results.md"

# the chart: median latency per operation against set size
sizes=$(for sp in $layout; do printf '%s ' "${sp%%:*}"; done)
for wl in like member; do
	awk -F, -v wl="$wl" -v sizes="$sizes" '
		$1 == wl && $4 == "p50_latency" { v[$2 "," $3] = $5 }
		END {
			print "# size counter likeset normalized jsonb"
			n = split(sizes, s, " ")
			for (i = 1; i <= n; i++) {
				line = s[i]
				split("counter likeset normalized jsonb", a, " ")
				for (j = 1; j <= 4; j++) {
					k = s[i] "," a[j]
					line = line " " ((k in v) ? v[k] : "NaN")
				}
				print line
			}
		}' "$out/results.csv" >"$tmp/$wl.dat"
done
gnuplot -e "likefile='$tmp/like.dat'; memberfile='$tmp/member.dat'; outfile='$out/cost_vs_size.png'" \
	"$here/plot.gp"

cat "$out/results.md"
say "done in ${elapsed} s: $out/results.csv, $out/results.md, $out/cost_vs_size.png"

# --- large sets ----------------------------------------------------------------------
# the log layout against the value layout and a normalized table at 100 to
# 1,000,000 likes per page (issue 6), on a temporary server of its own
PGBIN="$PGBIN" sh "$here/large.sh"

# --- GIN index -------------------------------------------------------------------------
# "which pages did user X like": a GIN index on a likeset column against a
# B-tree on a normalized table's user column (issue 7), on a server of its own
PGBIN="$PGBIN" sh "$here/gin.sh"

# --- subscriber catch-up -----------------------------------------------------------------
# the apply rate of likes on a subscriber: the log layout and a likeset
# column (likeset_replicate) against a normalized table, on a publisher and
# a subscriber of its own
PGBIN="$PGBIN" sh "$here/apply.sh"
