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
#   counter     lg.counters(page primary key, n): a counter column read by
#               primary key, the floor a count can aim at (read only)
# For each size and approach: time per like, WAL per like, bytes decoded for
# a replica per like, count and membership latency; for the log layout and
# the normalized table also unlikes (a user who liked the page unlikes it);
# for the log layout also the like's and unlike's share of folding, count
# and membership with pending rows and right after a fold (no VACUUM in
# between); and 32 sessions liking one hot page, log layout against the
# normalized upsert.  large.md compares them with the targets (ratios
# within this run: log layout ÷ normalized, 1,000,000 likes ÷ 100).
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
#     likes the page each time.  Every phase interleaves the sizes and the
#     approaches round by round, so a change in the machine's load hits
#     them alike.  Time per like is the median latency of every like; WAL
#     and decoded bytes are totals over the rounds ÷ likes.
#   - Unlikes run the same way (log layout and normalized): a random user
#     of the load ('user<1..size>') unlikes the page.
#   - Paired likes and unlikes: the log layout's time against the normalized
#     table's at the same moments, for the targets' ratios: one pgbench
#     session per size and round picks at random, transaction by
#     transaction, the log layout's or the normalized statement (WAL is not
#     measured there; the log layout's fold runs after the session).  On a
#     machine shared with other work this is far steadier than the ratio
#     of two sessions seconds apart.
#   - Where a round's likes or unlikes would be 1% or more of the page, the
#     page is put back to its size before each round (bench/large/fill.sql),
#     so the set size stays near the nominal one (at 100 it goes 100 → 200
#     within a round of likes, 100 → about 37 within one of unlikes).
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
#     folded to the like's figures (the same for unlikes).
#   - Pending and right after a fold: for each size, 1,000 likes without
#     folding, count and membership with them pending, one likeset_fold,
#     then at once (no VACUUM in between; the script checks the log table's
#     VACUUM count) count and membership of the log layout, taking turns at
#     random with the counter column and the normalized lookup in one
#     pgbench session, so the ratios compare the same moments.  Once more
#     on the largest page with 10,000 likes folded at once.
#   - Hot page: 32 pgbench clients (-j 2) each make 300 likes of page 0 by
#     distinct new users, log layout (no fold meanwhile) and normalized
#     upsert taking turns, 3 rounds each (median); tps without connection time.  The
#     counts must then equal the likes made (log layout: before and after
#     a fold), or the script fails.
#   - Count and membership: one client, median latency of a batch; at rest
#     (nothing pending) unless the row says otherwise.
#   - Full-page images: pg_stat_wal.wal_fpi over the measurements (large.md
#     reports it; it should be 0).
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
# rounds of the paired likes and unlikes (log layout and normalized in one session)
pair_rounds=5
# likes pending when the log layout's count is measured with pending rows,
# then folded at once before the reads right after a fold
npending=1000
# likes folded at once before the reads right after a bigger fold (largest page)
nbig=10000
# reads right after a fold: of each of the four statements, on average
af_reads=200
# hot page: its key (never a size), sessions, likes per session, rounds
hot_page=0
hot_clients=32
hot_tx=300
hot_rounds=3
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

# first TAG: the latency in ms of the first transaction of pgbench run TAG
first()
{
	awk 'NR == 1 { print $3 / 1000 }' "$logs/$1".log.*
}

# pgb_hot TAG SCRIPT PGBENCH-ARG...: run a pgbench script on the hot page,
# $hot_clients clients of $hot_tx transactions each, like the likes'
# session options; prints the tps without initial connection time
pgb_hot()
{
	_tag=$1
	_script=$2
	shift 2
	if ! PGOPTIONS="$async" "$PGBIN/pgbench" -h "$tmp" -p "$port" \
		-n -M prepared -c "$hot_clients" -j 2 -t "$hot_tx" -f "$_script" \
		-D p="$hot_page" -D k=0 "$@" postgres >"$logs/$_tag.out" 2>&1; then
		echo "bench/large.sh: pgbench $_tag failed:" >&2
		tail -n 20 "$logs/$_tag.out" >&2
		exit 1
	fi
	_n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$logs/$_tag.out")
	if [ "$_n" != $((hot_clients * hot_tx)) ] ||
		grep -q 'number of failed transactions: [1-9]' "$logs/$_tag.out"; then
		echo "bench/large.sh: pgbench $_tag: ${_n:-?} transactions, not $((hot_clients * hot_tx)), or some failed" >&2
		exit 1
	fi
	_tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$logs/$_tag.out")
	if [ -z "$_tps" ]; then
		echo "bench/large.sh: pgbench $_tag: no tps line in its output" >&2
		exit 1
	fi
	echo "$_tps"
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

# vacuums: VACUUMs of the log table so far, by hand or by autovacuum
vacuums()
{
	q "SELECT vacuum_count + autovacuum_count FROM pg_stat_user_tables WHERE relid = 'lg.page_likes'::regclass"
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
psql_run -c "VACUUM ANALYZE lg.page_likes, lg.page_likes_part, lg.page_likes_head, lg.pages, lg.norm_likes, lg.counters"
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
fpi0=$(q "SELECT wal_fpi FROM pg_stat_wal")

# --- measurements ---------------------------------------------------------
# Each phase interleaves the sizes (and the approaches) round by round, so
# a change of the machine's load during the run hits every size alike and
# the ratios between approaches compare the same moments.

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
		n=$(( (200 + read_rounds - 1) / read_rounds ))
		pgb "count.$size.counter.r$r" "$sql/count_counter.pgbench" "" -t "$n" -D p="$size" -D size="$size"
	done
	r=$((r + 1))
done
for size in $sizes; do
	for a in $approaches; do
		emit large_count "$size" "$a" p50_latency "$(p50 "count.$size.$a.r")" ms
		emit large_member "$size" "$a" p50_latency "$(p50 "member.$size.$a.r")" ms
	done
	emit large_count "$size" counter p50_latency "$(p50 "count.$size.counter.r")" ms
done

# op_phase OP APPROACH...: OP (like or unlike) in rounds after a warm-up;
# each round takes every size and approach in turn, and for the log layout
# is followed by a fold.  Workloads large_OP, large_OP_fold (OP + its share
# of folding) and the folds alone (large_fold after likes, large_fold_unlike
# after unlikes)
op_phase()
{
	_op=$1
	shift
	_as=$*
	case $_op in
		like) _fw=large_fold ;;
		*) _fw=large_fold_$_op ;;
	esac
	maxr=0
	for size in $sizes; do
		for a in $_as; do
			set -- $(like_plan "$a" "$size")
			if [ "$1" -gt "$maxr" ]; then
				maxr=$1
			fi
			say "$a, page of $size likes: ${_op} warm-up ($3 ${_op}s)"
			pgb "warm$_op.$size.$a" "$sql/${_op}_$a.pgbench" "$async" -t "$3" -D p="$size" -D size="$size"
			: >"$logs/acc.$_op.$size.$a"
			: >"$logs/fold.$_op.$size.$a"
		done
	done
	case " $_as " in
		*" log "*) fold_timed >/dev/null ;;
	esac
	r=1
	while [ "$r" -le "$maxr" ]; do
		say "${_op}s, round $r of $maxr, every size and approach ($_as)"
		for size in $sizes; do
			for a in $_as; do
				set -- $(like_plan "$a" "$size")
				[ "$r" -le "$1" ] || continue
				n=$2
				# keep the page near its size where a round changes 1% or more of it
				if [ "$size" -le $((100 * n)) ]; then
					fill "$size" "$a"
				fi
				drain
				l0=$(lsn)
				pgb "$_op.$size.$a.r$r" "$sql/${_op}_$a.pgbench" "$async" -t "$n" -D p="$size" -D size="$size"
				w=$(wal_since "$l0")
				echo "$n $w $(decoded)" >>"$logs/acc.$_op.$size.$a"
				if [ "$a" = log ]; then
					fold_timed >>"$logs/fold.$_op.$size.$a"
				fi
			done
		done
		r=$((r + 1))
	done
	for size in $sizes; do
		for a in $_as; do
			ops=$(sum "$logs/acc.$_op.$size.$a" 1)
			op_ms=$(p50 "$_op.$size.$a.r")
			op_wal=$(per "$(sum "$logs/acc.$_op.$size.$a" 2)" "$ops")
			op_dec=$(per "$(sum "$logs/acc.$_op.$size.$a" 3)" "$ops")
			emit "large_$_op" "$size" "$a" "${_op}s" "$ops" "${_op}s"
			emit "large_$_op" "$size" "$a" p50_latency "$op_ms" ms
			emit "large_$_op" "$size" "$a" "wal_bytes_per_$_op" "$op_wal" B
			emit "large_$_op" "$size" "$a" "decoded_bytes_per_$_op" "$op_dec" B
			[ "$a" = log ] || continue
			folded=$(sum "$logs/fold.$_op.$size.$a" 1)
			if [ "$folded" -ne "$ops" ]; then
				echo "bench/large.sh: page $size: $ops ${_op}s but $folded rows folded" >&2
				exit 1
			fi
			f_ms=$(awk -v n="$folded" '{ s += $3 } END { printf "%.4f\n", s / n }' "$logs/fold.$_op.$size.$a")
			f_wal=$(per "$(sum "$logs/fold.$_op.$size.$a" 2)" "$folded")
			f_dec=$(per "$(sum "$logs/fold.$_op.$size.$a" 4)" "$folded")
			emit "$_fw" "$size" log "${_op}s_per_fold" "$batch" "${_op}s"
			emit "$_fw" "$size" log "ms_per_$_op" "$f_ms" ms
			emit "$_fw" "$size" log "wal_bytes_per_$_op" "$f_wal" B
			emit "$_fw" "$size" log "decoded_bytes_per_$_op" "$f_dec" B
			emit "large_${_op}_fold" "$size" log "time_per_$_op" \
				"$(awk -v a="$op_ms" -v b="$f_ms" 'BEGIN { printf "%.4f\n", a + b }')" ms
			emit "large_${_op}_fold" "$size" log "wal_bytes_per_$_op" \
				"$(awk -v a="$op_wal" -v b="$f_wal" 'BEGIN { printf "%.1f\n", a + b }')" B
			emit "large_${_op}_fold" "$size" log "decoded_bytes_per_$_op" \
				"$(awk -v a="$op_dec" -v b="$f_dec" 'BEGIN { printf "%.1f\n", a + b }')" B
		done
	done
}

# likes, every approach
op_phase like $approaches

# unlikes, log layout and normalized
op_phase unlike log normalized

# paired OP: OP's time on the log layout against the normalized table at
# the same moments: in each of $pair_rounds rounds, for each size, one
# pgbench session running 2 × $batch OPs, each at random on the log layout
# or on the normalized table (small pages put back to their size before,
# the log layout's fold after, untimed); workload large_OP_paired
paired()
{
	r=1
	while [ "$r" -le "$pair_rounds" ]; do
		say "${1}s paired (log layout and normalized in one session), round $r of $pair_rounds, every size"
		for size in $sizes; do
			if [ "$size" -le $((100 * batch)) ]; then
				fill "$size" log
				fill "$size" normalized
			fi
			pgb "pair$1.$size.r$r" "$sql/${1}_log.pgbench" "$async" -f "$sql/${1}_normalized.pgbench" \
				-t $((2 * batch)) -D p="$size" -D size="$size"
			fold_timed >/dev/null
		done
		r=$((r + 1))
	done
	for size in $sizes; do
		_k=0
		for a in log normalized; do
			emit "large_${1}_paired" "$size" "$a" p50_latency \
				"$(cat "$logs/pair$1.$size.r"*.log.* | awk -v k="$_k" '$4 == k { print $3 / 1000 }' | median)" ms
			emit "large_${1}_paired" "$size" "$a" "${1}s" \
				"$(cat "$logs/pair$1.$size.r"*.log.* | awk -v k="$_k" '$4 == k { n++ } END { print n + 0 }')" "${1}s"
			_k=$((_k + 1))
		done
	done
}
paired like
paired unlike
# the small pages back to their size
for size in $sizes; do
	if [ "$size" -le $((100 * batch)) ]; then
		say "page of $size likes: back to its size after the likes and unlikes (log, normalized)"
		fill "$size" log
		fill "$size" normalized
	fi
done

# after_fold_reads WORKLOAD SIZE: right after a fold, count and membership
# of page SIZE on the log layout and, at the same moments, the counter
# column and the normalized lookup: one pgbench session running the four
# statements in random turns ($af_reads of each on average), so a change
# of the machine's load hits them alike
after_fold_reads()
{
	pgb "$1.$2" "$sql/count_log.pgbench" "" -f "$sql/count_counter.pgbench" \
		-f "$sql/member_log.pgbench" -f "$sql/member_normalized.pgbench" \
		-t $((4 * af_reads)) -D p="$2" -D size="$2"
	_k=0
	for _x in count_log count_counter member_log member_normalized; do
		emit "$1" "$2" "${_x#*_}" "${_x%%_*}_p50_latency" \
			"$(awk -v k="$_k" '$4 == k { print $3 / 1000 }' "$logs/$1.$2".log.* | median)" ms
		emit "$1" "$2" "${_x#*_}" "${_x%%_*}_first_latency" \
			"$(awk -v k="$_k" '$4 == k { print $3 / 1000; exit }' "$logs/$1.$2".log.*)" ms
		emit "$1" "$2" "${_x#*_}" "${_x%%_*}_reads" \
			"$(awk -v k="$_k" '$4 == k { n++ } END { print n + 0 }' "$logs/$1.$2".log.*)" reads
		_k=$((_k + 1))
	done
}

# after_fold WORKLOAD SIZE FOLD-OUTPUT VACUUMS-BEFORE: the reads right after
# the fold (fold_timed's output), then checks that it folded every pending
# row and that no VACUUM of the log table ran
after_fold()
{
	_w=$1
	_size=$2
	_fold=$3
	_v0=$4
	after_fold_reads "$_w" "$_size"
	set -- $_fold
	_vac=$(($(vacuums) - _v0))
	_left=$(q "SELECT count(*) FROM lg.page_likes WHERE key = $_size")
	if [ "$_vac" -ne 0 ] || [ "$_left" -ne 0 ]; then
		echo "bench/large.sh: page $_size: $_vac VACUUMs of the log table during the fold's measurement, $_left rows left pending" >&2
		exit 1
	fi
	emit "$_w" "$_size" log rows_folded "$1" rows
	emit "$_w" "$_size" log fold_ms "$3" ms
	emit "$_w" "$_size" log vacuums "$_vac" vacuums
	emit "$_w" "$_size" log dead_rows \
		"$(q "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'lg.page_likes'::regclass")" rows
}

# log layout: count and membership with $npending likes pending, then their
# fold, then count and membership right after it
for size in $sizes; do
	say "log, page of $size likes: count and membership with $npending likes pending, their fold, the same right after it"
	v0=$(vacuums)
	pgb "pend.$size" "$sql/like_log.pgbench" "$async" -t "$npending" -D p="$size" -D size="$size"
	pgb "count_pending.$size" "$sql/count_log.pgbench" "" -t 50 -D p="$size" -D size="$size"
	emit large_count_pending "$size" log p50_latency "$(p50 "count_pending.$size")" ms
	emit large_count_pending "$size" log pending "$npending" rows
	pgb "member_pending.$size" "$sql/member_log.pgbench" "" -t 200 -D p="$size" -D size="$size"
	emit large_member_pending "$size" log p50_latency "$(p50 "member_pending.$size")" ms
	f=$(fold_timed)
	set -- $f
	if [ "$1" -ne "$npending" ]; then
		echo "bench/large.sh: page $size: $npending likes pending but $1 rows folded" >&2
		exit 1
	fi
	emit large_fold1000 "$size" log likes_per_fold "$1" likes
	emit large_fold1000 "$size" log ms_per_like "$(awk -v t="$3" -v n="$1" 'BEGIN { printf "%.4f\n", t / n }')" ms
	emit large_fold1000 "$size" log wal_bytes_per_like "$(per "$2" "$1")" B
	emit large_fold1000 "$size" log decoded_bytes_per_like "$(per "$4" "$1")" B
	after_fold large_after_fold "$size" "$f" "$v0"
done

# the largest page once more, with $nbig likes folded at once
big=$(for size in $sizes; do echo "$size"; done | sort -n | tail -n 1)
say "log, page of $big likes: $nbig likes, their fold, count and membership right after it"
v0=$(vacuums)
pgb "bigpend.$big" "$sql/like_log.pgbench" "$async" -t "$nbig" -D p="$big" -D size="$big"
f=$(fold_timed)
set -- $f
if [ "$1" -ne "$nbig" ]; then
	echo "bench/large.sh: page $big: $nbig likes pending but $1 rows folded" >&2
	exit 1
fi
after_fold large_after_big_fold "$big" "$f" "$v0"

# hot page: $hot_clients sessions liking page $hot_page, log layout and
# normalized taking turns; the counts must equal the likes made
r=1
while [ "$r" -le "$hot_rounds" ]; do
	made=$((hot_clients * hot_tx * r))
	for a in log normalized; do
		say "hot page: $hot_clients sessions × $hot_tx likes of page $hot_page, $a, round $r of $hot_rounds"
		tps=$(pgb_hot "hot.$a.r$r" "$sql/hot_$a.pgbench" -D run="$r")
		echo "$tps" >>"$logs/hot.$a.tps"
		emit large_hot "$hot_page" "$a" "tps_r$r" "$tps" tps
		if [ "$a" = log ]; then
			n0=$(q "SELECT likeset_count('lg.page_likes'::regclass, $hot_page::bigint)")
			set -- $(fold_timed)
			n1=$(q "SELECT likeset_count('lg.page_likes'::regclass, $hot_page::bigint)")
			if [ "$n0" != "$made" ] || [ "$n1" != "$made" ] || [ "$1" != $((hot_clients * hot_tx)) ]; then
				echo "bench/large.sh: hot page, log layout: $made likes made, count $n0 before the fold and $n1 after, $1 rows folded" >&2
				exit 1
			fi
			emit large_hot "$hot_page" log "fold_ms_r$r" "$3" ms
			[ "$r" -lt "$hot_rounds" ] || emit large_hot "$hot_page" log count_at_end "$n1" likes
		else
			n1=$(q "SELECT count(*) FROM lg.norm_likes WHERE page = $hot_page AND NOT removed")
			if [ "$n1" != "$made" ]; then
				echo "bench/large.sh: hot page, normalized: $made likes made, count $n1" >&2
				exit 1
			fi
			[ "$r" -lt "$hot_rounds" ] || emit large_hot "$hot_page" normalized count_at_end "$n1" likes
		fi
	done
	r=$((r + 1))
done
for a in log normalized; do
	emit large_hot "$hot_page" "$a" tps "$(median <"$logs/hot.$a.tps")" tps
	emit large_hot "$hot_page" "$a" likes_made "$made" likes
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
fpi=$(q "SELECT wal_fpi - $fpi0 FROM pg_stat_wal")

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
	-v fpi="$fpi" -v nbig="$nbig" -v af_reads="$af_reads" -v pair_rounds="$pair_rounds" \
	-v hot_clients="$hot_clients" -v hot_tx="$hot_tx" -v hot_rounds="$hot_rounds" -v hot_page="$hot_page" \
	-v rundate="$(date -u '+%Y-%m-%d %H:%M UTC')" \
	-f "$sql/report.sql" >"$out/large.md"

cat "$out/large.md"
say "done in ${elapsed} s: $out/large.csv, $out/large.md"
