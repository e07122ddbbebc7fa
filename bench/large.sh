#!/bin/sh
# bench/large.sh: large sets (issue 6).  One page per set size (100, 10,000,
# 100,000 and 1,000,000 likes), kept three ways side by side in one run on a
# temporary server of its own:
#   log         the log layout (likeset_create_log): a like inserts one delta
#               row; likeset_fold, run here after every batch of likes as
#               the application's folding loop would, merges them into the
#               node-local parts
#   value       the value layout: pages(id bigint primary key, likes likeset),
#               UPDATE pages SET likes = likeset_add(likes, user)
#   normalized  a last-writer-wins table (page, user_id) primary key, ts,
#               removed, with an upsert per like
# For each size and approach: time per like, WAL per like, bytes decoded for
# a replica per like, count and membership latency; for the log layout also
# the like's share of folding and count and membership with pending rows.
#
# Run as an unprivileged user (initdb refuses root); bench/run.sh calls it
# last, so `make bench` runs it.  Writes bench/out/large.csv
# (workload,size,approach,metric,value,unit, as results.csv) and
# bench/out/large.md (the tables and the targets, also printed).
#
# Environment:
#   PGBIN             the server's bin directory (default: pg_config --bindir)
#   BENCH_LARGE_PORT  the server's port (default 54610); it listens only on a
#                     Unix socket in a fresh temporary directory
#   BENCH_LARGE_SIZES the set sizes (default "100 10000 100000 1000000"; the
#                     targets compare 1000000 with 100)
#   BENCH_LARGE_PART_MAX  the log table's part_max (default 8, as
#                     likeset_create_log's)
#
# Method:
#   - Likes run one by one (pgbench, one client, -M prepared,
#     synchronous_commit=off, as bench/run.sh's write workloads), in rounds
#     of a batch each after an untimed warm-up; a new user 'v<10 digits>'
#     likes the page each time.  Every phase interleaves the sizes round by
#     round, so a change in the machine's load hits them alike.  Time per
#     like is the median latency of every like; WAL and decoded bytes are
#     totals over the rounds ÷ likes.
#   - Where a round's likes would be 1% or more of the page, the page is put
#     back to its size before each round (bench/large/fill.sql), so the set
#     size stays near the nominal one (at 100 it goes 100 → 200 within a
#     round).
#   - autovacuum is off: the log table's dead rows (folded likes) pile up
#     during the run, as they would between two autovacuum runs on a busy
#     page; VACUUM ANALYZE runs once, after the load.
#   - WAL: pg_current_wal_insert_lsn() difference.  autovacuum is off and
#     checkpoint_timeout is a day, so nothing else writes WAL and no
#     checkpoint falls inside the run: the figures hold no full-page images
#     (large.md says how many checkpoints happened; it should be none).
#   - Decoded bytes: a logical slot with pgoutput (protocol 1, text format,
#     as a default subscription), sum of octet_length(data) of
#     pg_logical_slot_get_binary_changes over the publications a subscriber
#     would use: the log table with publish = 'insert', the two other
#     tables with every change.  BEGIN, RELATION and COMMIT messages count.
#   - The log layout's fold after each round is timed and its WAL and
#     decoded bytes measured; "like + fold share" adds fold totals ÷ likes
#     folded to the like's figures.  A last step adds 1,000 likes without
#     folding, measures count and membership with them pending, then folds.
#   - Count and membership: one client, median latency of a batch; at rest
#     (nothing pending) unless the row says otherwise.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
sql=$here/large
port=${BENCH_LARGE_PORT:-54610}
sizes=${BENCH_LARGE_SIZES:-100 10000 100000 1000000}
part_max=${BENCH_LARGE_PART_MAX:-8}
approaches="log value normalized"
# likes per round and rounds for the log layout and the normalized table
batch=100
nrounds=10
# rounds of the count and membership batches
read_rounds=3
# likes pending when the log layout's count is measured with pending rows
npending=1000
if [ -z "${PGBIN:-}" ]; then
	PGBIN=$(pg_config --bindir 2>/dev/null) || PGBIN=""
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "bench/large.sh: run me as an unprivileged user (initdb refuses root), or use 'make bench'" >&2
	exit 1
fi
for prog in initdb pg_ctl psql pgbench; do
	if [ ! -x "$PGBIN/$prog" ]; then
		echo "bench/large.sh: ${PGBIN:-?}/$prog not found; set PGBIN to the server's bin directory" >&2
		exit 1
	fi
done
for v in "$port" "$part_max" $sizes; do
	case $v in
		'' | *[!0-9]* | 0)
			echo "bench/large.sh: BENCH_LARGE_PORT, BENCH_LARGE_SIZES and BENCH_LARGE_PART_MAX must be positive integers" >&2
			exit 1 ;;
	esac
done

# Settings from the caller's environment must not redirect our connections.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE \
	PGOPTIONS PGPASSWORD PGPASSFILE PGSSLMODE PGDATA PGTZ PGDATESTYLE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/likeset-large-db.XXXXXX")
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
			echo "bench/large.sh: the end of the server's log:" >&2
			tail -n 15 "$tmp/server.log" >&2
		fi
		"$PGBIN/pg_ctl" -D "$db" -s -m fast -t 30 stop >/dev/null 2>&1 ||
			"$PGBIN/pg_ctl" -D "$db" -s -m immediate stop >/dev/null 2>&1 || true
	fi
	cd /
	rm -rf "$tmp"
	if [ "$status" -ne 0 ]; then
		echo "bench/large.sh: failed (exit status $status)" >&2
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cd "$tmp"
mkdir -p "$logs" "$out"
rm -f "$out/large.csv" "$out/large.md"
t_start=$(date +%s)

say()
{
	printf '== [large %4ds] %s\n' $(($(date +%s) - t_start)) "$*"
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

# emit WORKLOAD SIZE APPROACH METRIC VALUE UNIT: one row of large.csv
emit()
{
	printf '%s,%s,%s,%s,%s,%s\n' "$@" >>"$out/large.csv"
}

# pgb TAG SCRIPT OPTIONS PGBENCH-ARG...: run a pgbench script (one client)
# with the session OPTIONS; its output goes to $logs/TAG.out, its
# per-transaction log to $logs/TAG.log.*
pgb()
{
	_tag=$1
	_script=$2
	_opts=$3
	shift 3
	if ! PGOPTIONS="$_opts" "$PGBIN/pgbench" -h "$tmp" -p "$port" \
		-n -M prepared -c 1 -l --log-prefix="$logs/$_tag.log" -f "$_script" "$@" postgres \
		>"$logs/$_tag.out" 2>&1; then
		echo "bench/large.sh: pgbench $_tag failed:" >&2
		tail -n 20 "$logs/$_tag.out" >&2
		exit 1
	fi
	if grep -q 'number of failed transactions: [1-9]' "$logs/$_tag.out"; then
		echo "bench/large.sh: pgbench $_tag had failed transactions" >&2
		exit 1
	fi
}

# p50 TAG-PREFIX: the median latency in ms of every transaction of the
# pgbench runs whose tag starts with TAG-PREFIX
p50()
{
	cat "$logs/$1"*.log.* | awk '{ print $3 / 1000 }' | median
}

# sum FILE COLUMN: the sum of a column of a file of numbers
sum()
{
	awk -v c="$2" '{ s += $c } END { printf "%.0f\n", s }' "$1"
}

# per A B: A ÷ B, rounded to 0.1
per()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "NaN"; else printf "%.1f\n", a / b }'
}

# flush: make every change so far durable, so the slot can decode it: a
# transaction that writes WAL (a logical message, which pgoutput does not
# send unless asked) commits with synchronous_commit=on, flushing the WAL
# of the asynchronous commits before it
flush()
{
	q "SELECT pg_logical_emit_message(true, 'bench', '')" >/dev/null
}

# drain: move the slot past every change so far, without decoding it
drain()
{
	flush
	q "SELECT pg_replication_slot_advance('lg_slot', pg_current_wal_flush_lsn())" >/dev/null
}

# decoded: bytes a subscriber of the publications would receive for the
# changes since the last drain or decoded
decoded()
{
	flush
	q "SELECT coalesce(sum(octet_length(data)), 0) FROM pg_logical_slot_get_binary_changes('lg_slot', NULL, NULL,
		'proto_version', '1', 'publication_names', 'lg_pub_log,lg_pub_rest')"
}

# lsn: the WAL insert position
lsn()
{
	q "SELECT pg_current_wal_insert_lsn()"
}

# wal_since LSN: WAL bytes written since LSN
wal_since()
{
	q "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$1')"
}

# fold_timed: one likeset_fold of the log table, as the application runs
# it; prints "rows-folded wal-bytes milliseconds decoded-bytes"
fold_timed()
{
	drain
	_r=$(PGOPTIONS="$async" psql_run -At <<'EOF'
SELECT pg_current_wal_insert_lsn() AS l0, clock_timestamp() AS t0 \gset
SELECT likeset_fold('lg.page_likes') AS n \gset
SELECT :n, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), :'l0'),
	round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz), 3);
EOF
)
	echo "$_r $(decoded)" | tr '|' ' '
}

# fill SIZE APPROACH: put page SIZE of APPROACH (or all) back to SIZE likes
fill()
{
	psql_run -v size="$1" -v approach="$2" -f "$sql/fill.sql"
}

# Sample sizes.  like_plan APPROACH SIZE: "rounds likes-per-round warm-up-likes";
# the value layout rewrites the whole set per like (hundreds of ms at a
# million), so it takes fewer there
like_plan()
{
	if [ "$1" != value ]; then
		echo "$nrounds $batch 20"
	elif [ "$2" -ge 1000000 ]; then
		echo "5 1 1"
	elif [ "$2" -ge 100000 ]; then
		echo "5 2 1"
	elif [ "$2" -ge 10000 ]; then
		echo "5 20 5"
	else
		echo "$nrounds $batch 20"
	fi
}
# reads APPROACH SIZE WHAT: queries timed for a count or a membership test
reads()
{
	case $1:$3 in
		normalized:count)
			if [ "$2" -ge 1000000 ]; then echo 5
			elif [ "$2" -ge 100000 ]; then echo 20
			elif [ "$2" -ge 10000 ]; then echo 100
			else echo 200; fi ;;
		value:member)
			if [ "$2" -ge 1000000 ]; then echo 10
			elif [ "$2" -ge 100000 ]; then echo 30
			else echo 200; fi ;;
		*) echo 200 ;;
	esac
}

async="-c synchronous_commit=off"

# --- the server ---------------------------------------------------------
say "temporary server: initdb in $tmp, port $port, Unix socket only, wal_level=logical"
"$PGBIN/initdb" -D "$db" -A trust -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 || {
	cat "$tmp/initdb.log" >&2
	exit 1
}
cat >>"$db/postgresql.conf" <<EOF
# bench/large.sh: logical decoding for the bytes a replica receives; no
# autovacuum and no timed checkpoint, so only the measured statements write
# WAL and no full-page image falls inside a measurement
listen_addresses = ''
unix_socket_directories = '$tmp'
port = $port
shared_buffers = 512MB
max_wal_size = 32GB
checkpoint_timeout = 1d
wal_level = logical
max_replication_slots = 4
autovacuum = off
EOF
"$PGBIN/pg_ctl" -D "$db" -l "$tmp/server.log" -s -w -t 60 start
started=true
q "CREATE EXTENSION likeset" >/dev/null
pgversion=$(q "SHOW server_version")
settings=$(q "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_level',
		'autovacuum', 'fsync', 'full_page_writes', 'default_toast_compression', 'lc_collate')")
say "PostgreSQL $pgversion: $settings"

printf 'workload,size,approach,metric,value,unit\n' >"$out/large.csv"

# --- data ---------------------------------------------------------------
psql_run -v part_max="$part_max" -f "$sql/setup.sql"
for size in $sizes; do
	say "loading page $size: $size likes, each approach (log layout: insert, then one likeset_fold)"
	fill "$size" all
done
say "normalized primary key, VACUUM ANALYZE"
psql_run -c "ALTER TABLE lg.norm_likes ADD PRIMARY KEY (page, user_id)"
psql_run -c "VACUUM ANALYZE lg.page_likes, lg.page_likes_part, lg.page_likes_head, lg.pages, lg.norm_likes"
# every approach holds the same likes, the log layout's whole state included
for size in $sizes; do
	bad=$(q "SELECT count(*) FROM (VALUES
			(likeset_count('lg.page_likes'::regclass, $size::bigint)),
			((SELECT likeset_count(likes) FROM lg.pages WHERE id = $size)),
			((SELECT count(*) FROM lg.norm_likes WHERE page = $size AND NOT removed)),
			(likeset_count(likeset_value('lg.page_likes'::regclass, $size::bigint)))) c(n)
		WHERE n IS DISTINCT FROM $size")
	same=$(q "SELECT likeset_value('lg.page_likes'::regclass, $size::bigint) = likes FROM lg.pages WHERE id = $size")
	if [ "$bad" != 0 ] || [ "$same" != t ]; then
		echo "bench/large.sh: page $size: the approaches disagree after the load" >&2
		exit 1
	fi
done
q "SELECT pg_create_logical_replication_slot('lg_slot', 'pgoutput')" >/dev/null
redo0=$(q "SELECT redo_lsn FROM pg_control_checkpoint()")

# --- measurements ---------------------------------------------------------
# Each phase interleaves the sizes round by round, so a change of the
# machine's load during the run hits every size alike.

# count and membership at rest, $read_rounds rounds
r=1
while [ "$r" -le "$read_rounds" ]; do
	say "count and membership at rest, round $r of $read_rounds"
	for size in $sizes; do
		for a in $approaches; do
			for what in count member; do
				n=$(( ($(reads "$a" "$size" "$what") + read_rounds - 1) / read_rounds ))
				pgb "$what.$size.$a.r$r" "$sql/${what}_$a.pgbench" "" -t "$n" -D p="$size" -D size="$size"
			done
		done
	done
	r=$((r + 1))
done
for size in $sizes; do
	for a in $approaches; do
		emit large_count "$size" "$a" p50_latency "$(p50 "count.$size.$a.r")" ms
		emit large_member "$size" "$a" p50_latency "$(p50 "member.$size.$a.r")" ms
	done
done

# likes, in rounds; for the log layout each round is followed by a fold
for a in $approaches; do
	maxr=0
	for size in $sizes; do
		set -- $(like_plan "$a" "$size")
		[ "$1" -gt "$maxr" ] && maxr=$1
		say "$a, page of $size likes: warm-up ($3 likes)"
		pgb "warm.$size.$a" "$sql/like_$a.pgbench" "$async" -t "$3" -D p="$size" -D size="$size"
		: >"$logs/acc.$size.$a"
		: >"$logs/fold.$size.$a"
	done
	if [ "$a" = log ]; then
		fold_timed >/dev/null
	fi
	r=1
	while [ "$r" -le "$maxr" ]; do
		say "$a: likes, round $r of $maxr, every size"
		for size in $sizes; do
			set -- $(like_plan "$a" "$size")
			[ "$r" -le "$1" ] || continue
			n=$2
			# keep the page near its size where a round adds 1% or more to it
			if [ "$size" -le $((100 * n)) ]; then
				fill "$size" "$a"
			fi
			drain
			l0=$(lsn)
			pgb "like.$size.$a.r$r" "$sql/like_$a.pgbench" "$async" -t "$n" -D p="$size" -D size="$size"
			w=$(wal_since "$l0")
			echo "$n $w $(decoded)" >>"$logs/acc.$size.$a"
			if [ "$a" = log ]; then
				fold_timed >>"$logs/fold.$size.$a"
			fi
		done
		r=$((r + 1))
	done
	for size in $sizes; do
		likes=$(sum "$logs/acc.$size.$a" 1)
		like_ms=$(p50 "like.$size.$a.r")
		like_wal=$(per "$(sum "$logs/acc.$size.$a" 2)" "$likes")
		like_dec=$(per "$(sum "$logs/acc.$size.$a" 3)" "$likes")
		emit large_like "$size" "$a" likes "$likes" likes
		emit large_like "$size" "$a" p50_latency "$like_ms" ms
		emit large_like "$size" "$a" wal_bytes_per_like "$like_wal" B
		emit large_like "$size" "$a" decoded_bytes_per_like "$like_dec" B
		[ "$a" = log ] || continue
		folded=$(sum "$logs/fold.$size.$a" 1)
		if [ "$folded" -ne "$likes" ]; then
			echo "bench/large.sh: page $size: $likes likes but $folded rows folded" >&2
			exit 1
		fi
		f_ms=$(awk -v n="$folded" '{ s += $3 } END { printf "%.4f\n", s / n }' "$logs/fold.$size.$a")
		f_wal=$(per "$(sum "$logs/fold.$size.$a" 2)" "$folded")
		f_dec=$(per "$(sum "$logs/fold.$size.$a" 4)" "$folded")
		emit large_fold "$size" log likes_per_fold "$batch" likes
		emit large_fold "$size" log ms_per_like "$f_ms" ms
		emit large_fold "$size" log wal_bytes_per_like "$f_wal" B
		emit large_fold "$size" log decoded_bytes_per_like "$f_dec" B
		emit large_like_fold "$size" log time_per_like "$(awk -v a="$like_ms" -v b="$f_ms" 'BEGIN { printf "%.4f\n", a + b }')" ms
		emit large_like_fold "$size" log wal_bytes_per_like "$(awk -v a="$like_wal" -v b="$f_wal" 'BEGIN { printf "%.1f\n", a + b }')" B
		emit large_like_fold "$size" log decoded_bytes_per_like "$(awk -v a="$like_dec" -v b="$f_dec" 'BEGIN { printf "%.1f\n", a + b }')" B
	done
done

# log layout: count and membership with $npending likes pending, then their fold
for size in $sizes; do
	say "log, page of $size likes: count and membership with $npending likes pending, then their fold"
	pgb "pend.$size" "$sql/like_log.pgbench" "$async" -t "$npending" -D p="$size" -D size="$size"
	pgb "count_pending.$size" "$sql/count_log.pgbench" "" -t 50 -D p="$size" -D size="$size"
	emit large_count_pending "$size" log p50_latency "$(p50 "count_pending.$size")" ms
	emit large_count_pending "$size" log pending "$npending" rows
	pgb "member_pending.$size" "$sql/member_log.pgbench" "" -t 200 -D p="$size" -D size="$size"
	emit large_member_pending "$size" log p50_latency "$(p50 "member_pending.$size")" ms
	set -- $(fold_timed)
	emit large_fold1000 "$size" log likes_per_fold "$1" likes
	emit large_fold1000 "$size" log ms_per_like "$(awk -v t="$3" -v n="$1" 'BEGIN { printf "%.4f\n", t / n }')" ms
	emit large_fold1000 "$size" log wal_bytes_per_like "$(per "$2" "$1")" B
	emit large_fold1000 "$size" log decoded_bytes_per_like "$(per "$4" "$1")" B
done

# --- the state at the end ---------------------------------------------------
say "checks: count at rest equals the count of the whole state"
for size in $sizes; do
	set -- $(q "SELECT likeset_count('lg.page_likes'::regclass, $size::bigint),
			likeset_count(likeset_value('lg.page_likes'::regclass, $size::bigint)),
			h.present, h.parts, (SELECT count(*) FROM lg.page_likes l WHERE l.key = $size)
		FROM lg.page_likes_head h WHERE h.key = $size" | tr '|' ' ')
	if [ "$1" != "$2" ] || [ "$1" != "$3" ] || [ "$5" != 0 ]; then
		echo "bench/large.sh: page $size: count $1, whole state $2, head $3, pending $5" >&2
		exit 1
	fi
	emit large_state "$size" log present_at_end "$1" likes
	emit large_state "$size" log parts_at_end "$4" parts
	emit large_state "$size" log avg_part_bytes \
		"$(q "SELECT round(avg(pg_column_size(part))) FROM lg.page_likes_part WHERE key = $size")" B
	emit large_state "$size" value present_at_end "$(q "SELECT likeset_count(likes) FROM lg.pages WHERE id = $size")" likes
	emit large_state "$size" normalized present_at_end \
		"$(q "SELECT count(*) FROM lg.norm_likes WHERE page = $size AND NOT removed")" likes
done
checkpoints=$(q "SELECT CASE WHEN redo_lsn = '$redo0' THEN 0 ELSE 1 END FROM pg_control_checkpoint()")

# --- report -------------------------------------------------------------------
say "report"
psql_run -c "CREATE TABLE large_results (workload text, size int, approach text, metric text, value float8, unit text)"
psql_run -c "COPY large_results FROM STDIN WITH (FORMAT csv, HEADER)" <"$out/large.csv"
elapsed=$(($(date +%s) - t_start))
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
psql_run -At \
	-v pgversion="$pgversion" -v settings="$settings" -v elapsed="$elapsed" \
	-v cpu="${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') cores" \
	-v checkpoints="$checkpoints" -v batch="$batch" -v npending="$npending" -v part_max="$part_max" \
	-v rundate="$(date -u '+%Y-%m-%d %H:%M UTC')" \
	-f "$sql/report.sql" >"$out/large.md"

cat "$out/large.md"
say "done in ${elapsed} s: $out/large.csv, $out/large.md"
