#!/bin/sh
# bench/apply.sh: subscriber catch-up, the logical replication apply rate of
# likes, for three ways of keeping them, side by side in one run on two
# temporary servers of its own (a publisher and a subscriber):
#   log         the log layout: likeset_create_log('ap.page_likes', 'bigint')
#               on both nodes, published with publish = 'insert'; a like is
#               likeset_like('ap.page_likes', page, user): one delta row
#   column      a likeset column: ap.pages(id bigint primary key, likes
#               likeset) with likeset_replicate on both nodes (the apply
#               worker merges each incoming value into the local one); a
#               like is likeset_like('ap.pages', page, user): the page's
#               whole value is rewritten and shipped
#   normalized  a last-writer-wins table ap.norm_likes (page, user_id) primary
#               key, ts, removed, with an upsert per like
# Measured for each: how long the subscriber takes to apply a backlog of
# likes, as likes/s, and the ratio of that rate to the normalized table's.
#
# Run as an unprivileged user (initdb refuses root); bench/run.sh calls it
# at the end, so `make bench` runs it.  Writes bench/out/apply.csv
# (workload,size,approach,metric,value,unit, as results.csv) and
# bench/out/apply.md (the table and the targets, also printed).
#
# Environment:
#   PGBIN               the servers' bin directory (default: pg_config --bindir)
#   BENCH_APPLY_PORT    the publisher's port (default 54620); the subscriber
#                       listens on the next one.  Both listen only on a Unix
#                       socket in a fresh temporary directory
#   BENCH_APPLY_LIKES   likes per approach and round (default 20000)
#   BENCH_APPLY_PAGES   pages the likes fall on, uniformly at random
#                       (default 100)
#   BENCH_APPLY_ROUNDS  rounds (default 3)
#   BENCH_APPLY_APPROACHES  which of log, column and normalized to run
#                       (default all three; the ratios need normalized)
#   BENCH_APPLY_ORIGIN  the subscriptions' origin option (PostgreSQL 16 and
#                       later: none or any; default: the server's, any)
#   BENCH_APPLY_BINARY  the subscriptions' binary option (true: values
#                       travel in their binary form; default false, text)
#
# Method:
#   - One publication and one subscription (copy_data = false) per approach,
#     so each approach's backlog travels alone.  Rounds interleave the
#     approaches (their order rotates from round to round), so a change of
#     the machine's load hits them alike; a figure is the median over the
#     rounds.
#   - A turn: the approach's subscription is disabled and the script waits
#     until its apply worker and its walsender are gone; N likes run on the
#     publisher (pgbench, one client, -M prepared, synchronous_commit=off; a
#     new user per like, 'u<round>-<n>', on a page drawn uniformly), the
#     last one in psql with synchronous_commit=on, so that every like is
#     flushed; the publisher's pg_current_wal_insert_lsn() right after that
#     commit is the target.  Once the other subscriptions (which skip these
#     changes) have reported the target too, so that only this approach's
#     walsender and apply worker work from then on, the subscription is
#     enabled and the time until the publisher's pg_stat_replication shows
#     replay_lsn >= target for it (polled every 20 ms from a loop on the
#     publisher) is its catch-up time: the apply worker's start, decoding,
#     sending and applying the N likes.
#   - Before each turn every slot is brought up to date: a running-xacts
#     record is logged (by creating a temporary logical slot, as PostgreSQL
#     15 has no pg_log_standby_snapshot) and the script waits until every
#     subscription's slot has moved its restart_lsn past it, so a
#     re-enabled walsender does not re-read the WAL of the other
#     approaches' turns before its own backlog.
#   - After each turn: the subscriber must hold exactly what the publisher
#     holds (the number of likes, and a digest of every page: likeset_digest
#     per page for the log layout and the column, every row for the
#     normalized table), the publisher must hold every like of the run so
#     far, and pg_stat_subscription_stats must show no apply error; the log
#     layout is folded (likeset_fold) on both nodes and the approach's
#     tables are vacuumed on both, untimed, as the application's folding
#     loop and autovacuum would between bursts (and every table once before
#     the first round, so that every round starts alike).  autovacuum is off, so that
#     it never runs inside a measurement, and checkpoint_timeout is a day.
#   - The subscription applies with its default synchronous_commit = off.
#     wal_retrieve_retry_interval is 10 ms: PostgreSQL 15's launcher starts
#     workers at most once per that interval (default 5 s), which otherwise
#     added a near-constant 5 s to every catch-up.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
port=${BENCH_APPLY_PORT:-54620}
nlikes=${BENCH_APPLY_LIKES:-20000}
npages=${BENCH_APPLY_PAGES:-100}
rounds=${BENCH_APPLY_ROUNDS:-3}
approaches=${BENCH_APPLY_APPROACHES:-log column normalized}
origin=${BENCH_APPLY_ORIGIN:-}
binary=${BENCH_APPLY_BINARY:-}
# their subscriptions, as a list for SQL arrays
all_subs=$(for _a in $approaches; do printf 'ap_%s,' "$_a"; done)
all_subs=${all_subs%,}
# deadlines, seconds: a catch-up; a subscription's worker or walsender leaving
catchup_deadline=600
stop_deadline=60
if [ -z "${PGBIN:-}" ]; then
	PGBIN=$(pg_config --bindir 2>/dev/null) || PGBIN=""
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "bench/apply.sh: run me as an unprivileged user (initdb refuses root), or use 'make bench'" >&2
	exit 1
fi
for prog in initdb pg_ctl psql pgbench; do
	if [ ! -x "$PGBIN/$prog" ]; then
		echo "bench/apply.sh: ${PGBIN:-?}/$prog not found; set PGBIN to the server's bin directory" >&2
		exit 1
	fi
done
for v in "$port" "$nlikes" "$npages" "$rounds"; do
	case $v in
		'' | *[!0-9]* | 0)
			echo "bench/apply.sh: BENCH_APPLY_PORT, _LIKES, _PAGES and _ROUNDS must be positive integers" >&2
			exit 1 ;;
	esac
done
if [ "$port" -ge 65535 ]; then
	echo "bench/apply.sh: BENCH_APPLY_PORT must be below 65535 (the subscriber uses the next port)" >&2
	exit 1
fi
sport=$((port + 1))

# Settings from the caller's environment must not redirect our connections.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE \
	PGOPTIONS PGPASSWORD PGPASSFILE PGSSLMODE PGDATA PGTZ PGDATESTYLE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/likeset-apply-db.XXXXXX")
logs=$tmp/logs
started=""

cleanup()
{
	status=$?
	trap - EXIT
	trap '' INT TERM HUP
	# the subscriber first, so its workers do not retry against a stopped publisher
	for node in $started; do
		if [ "$status" -ne 0 ] && [ -s "$tmp/$node.log" ]; then
			echo "bench/apply.sh: the end of the $node's log:" >&2
			tail -n 15 "$tmp/$node.log" >&2
		fi
		"$PGBIN/pg_ctl" -D "$tmp/$node" -s -m fast -t 30 stop >/dev/null 2>&1 ||
			"$PGBIN/pg_ctl" -D "$tmp/$node" -s -m immediate stop >/dev/null 2>&1 || true
	done
	cd /
	rm -rf "$tmp"
	if [ "$status" -ne 0 ]; then
		echo "bench/apply.sh: failed (exit status $status)" >&2
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cd "$tmp"
mkdir -p "$logs" "$out"
rm -f "$out/apply.csv" "$out/apply.md"
t_start=$(date +%s)

say()
{
	printf '== [apply %4ds] %s\n' $(($(date +%s) - t_start)) "$*"
}

# pub [OPTION...], sub [OPTION...]: psql on the publisher's or the
# subscriber's database, quiet, stopping at the first error
pub()
{
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off -h "$tmp" -p "$port" -d postgres "$@"
}
sub()
{
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off -h "$tmp" -p "$sport" -d postgres "$@"
}

# qp SQL, qs SQL: one query's rows, unaligned, on the publisher or the subscriber
qp()
{
	pub -At -c "$1"
}
qs()
{
	sub -At -c "$1"
}

# median: the median of the numbers on stdin, one per line
median()
{
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "NaN"; exit }
		if (NR % 2) printf "%.6g\n", v[(NR + 1) / 2]
		else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPRESSION [FORMAT]: awk arithmetic on figures this script computed
calc()
{
	awk "BEGIN { v = $1; printf \"${2:-%.6g}\\n\", v }"
}

# emit WORKLOAD SIZE APPROACH METRIC VALUE UNIT: one row of apply.csv
emit()
{
	printf '%s,%s,%s,%s,%s,%s\n' "$@" >>"$out/apply.csv"
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

# like_stmt APPROACH PAGE USER: the statement of one like of USER on PAGE
# (SQL expressions: pgbench variables or literals)
like_stmt()
{
	case $1 in
		log) echo "SELECT likeset_like('ap.page_likes'::regclass, ($2)::bigint, $3);" ;;
		column) echo "SELECT likeset_like('ap.pages'::regclass, ($2)::bigint, $3);" ;;
		normalized) echo "INSERT INTO ap.norm_likes (page, user_id, ts, removed)
	VALUES ($2, $3, clock_timestamp(), false)
	ON CONFLICT (page, user_id) DO UPDATE
	SET ts = greatest(excluded.ts, norm_likes.ts + interval '1 microsecond'), removed = false;" ;;
	esac
}

# state_sql APPROACH: the query whose one row sums up what a node holds for
# APPROACH: present likes, rows (pages, or the normalized table's rows), and
# a digest of all of it (every page's state, or every row)
state_sql()
{
	case $1 in
		log) echo "SELECT sum(likeset_count('ap.page_likes'::regclass, id)), count(*),
			md5(string_agg(id || ':' || likeset_digest('ap.page_likes'::regclass, id), ',' ORDER BY id))
			FROM generate_series(1::bigint, $npages) id" ;;
		column) echo "SELECT coalesce(sum(likeset_count(likes)), 0), count(*),
			md5(string_agg(id || ':' || likeset_digest(likes), ',' ORDER BY id))
			FROM ap.pages" ;;
		normalized) echo "SELECT count(*) FILTER (WHERE NOT removed), count(*),
			md5(string_agg(page || ':' || user_id || ':' || (extract(epoch FROM ts) * 1000000)::bigint || ':' || removed,
				',' ORDER BY page, user_id))
			FROM ap.norm_likes" ;;
	esac
}

# server NAME PORT: initdb and start a temporary server in $tmp/NAME
server()
{
	"$PGBIN/initdb" -D "$tmp/$1" -A trust -E UTF8 --locale=C >"$tmp/initdb.$1.log" 2>&1 || {
		cat "$tmp/initdb.$1.log" >&2
		exit 1
	}
	cat >>"$tmp/$1/postgresql.conf" <<EOF
# bench/apply.sh: logical replication between two temporary servers; no
# autovacuum and no timed checkpoint, so nothing but the measured work runs
# during a measurement
listen_addresses = ''
unix_socket_directories = '$tmp'
port = $2
shared_buffers = 256MB
max_wal_size = 16GB
checkpoint_timeout = 1d
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
max_logical_replication_workers = 6
autovacuum = off
# PostgreSQL 15's launcher starts apply workers at most once per
# wal_retrieve_retry_interval (default 5 s, counted from its last look), which
# would add up to 5 s to every catch-up; at 10 ms it adds at most that
wal_retrieve_retry_interval = 10ms
EOF
	"$PGBIN/pg_ctl" -D "$tmp/$1" -l "$tmp/$1.log" -s -w -t 60 start
	started="$1 $started"
}

# the wait loops, run on the servers themselves so the polling costs a
# sleeping backend, not a psql start every 20 ms; each raises an error
# naming what it waited for when its deadline passes.  pg_stat_clear_snapshot
# drops the transaction's cached view of the activity statistics (which
# pg_stat_replication and pg_stat_subscription_stats read).
waits_sql()
{
	cat <<'EOF'
SET client_min_messages = warning;
CREATE SCHEMA apbench;

-- apbench.wait_replay(apps, target, deadline): wait until the walsender of
-- every subscription named in apps reports replay_lsn >= target; returns
-- when it first saw all their walsenders (started) and when it saw them
-- there (done), as seconds since the epoch
CREATE FUNCTION apbench.wait_replay(apps text[], target pg_lsn, deadline float8,
	OUT started float8, OUT done float8)
LANGUAGE plpgsql AS $$
DECLARE
	t_end timestamptz := clock_timestamp() + deadline * interval '1 second';
	n int;
	m int;
	now_ts timestamptz;
	where_they_are text;
BEGIN
	LOOP
		PERFORM pg_stat_clear_snapshot();
		now_ts := clock_timestamp();
		SELECT count(DISTINCT application_name), count(DISTINCT application_name) FILTER (WHERE replay_lsn >= target)
		  INTO m, n FROM pg_stat_replication
		 WHERE application_name = ANY (apps);
		IF started IS NULL AND m = cardinality(apps) THEN
			started := extract(epoch FROM now_ts);
		END IF;
		IF n = cardinality(apps) THEN
			done := extract(epoch FROM now_ts);
			RETURN;
		END IF;
		IF now_ts > t_end THEN
			SELECT string_agg(a || ': ' || coalesce(r.replay_lsn::text, 'no walsender'), ', ')
			  INTO where_they_are
			  FROM unnest(apps) a LEFT JOIN pg_stat_replication r ON r.application_name = a;
			RAISE EXCEPTION 'bench/apply.sh: the subscriber did not apply up to % within % s (replay_lsn: %)',
				target, deadline, where_they_are;
		END IF;
		PERFORM pg_sleep(0.02);
	END LOOP;
END $$;

-- apbench.wait_slot_inactive(slot, deadline): wait until no walsender uses slot
CREATE FUNCTION apbench.wait_slot_inactive(slot text, deadline float8)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t_end timestamptz := clock_timestamp() + deadline * interval '1 second';
BEGIN
	WHILE EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = slot AND active) LOOP
		IF clock_timestamp() > t_end THEN
			RAISE EXCEPTION 'bench/apply.sh: slot % still in use % s after its subscription was disabled',
				slot, deadline;
		END IF;
		PERFORM pg_sleep(0.02);
	END LOOP;
END $$;

-- apbench.slots_past(slots, lsn, deadline): wait up to deadline seconds
-- until every one of slots has restart_lsn and confirmed_flush_lsn >= lsn;
-- returns whether they have
CREATE FUNCTION apbench.slots_past(slots text[], lsn pg_lsn, deadline float8)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	t_end timestamptz := clock_timestamp() + deadline * interval '1 second';
BEGIN
	LOOP
		IF (SELECT count(*) FROM pg_replication_slots
			 WHERE slot_name = ANY (slots) AND restart_lsn >= lsn AND confirmed_flush_lsn >= lsn)
		   = cardinality(slots) THEN
			RETURN true;
		END IF;
		IF clock_timestamp() > t_end THEN
			RETURN false;
		END IF;
		PERFORM pg_sleep(0.02);
	END LOOP;
END $$;

-- apbench.wait_worker_gone(sub, deadline): wait until sub has no apply worker
CREATE FUNCTION apbench.wait_worker_gone(subname text, deadline float8)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t_end timestamptz := clock_timestamp() + deadline * interval '1 second';
BEGIN
	WHILE EXISTS (SELECT FROM pg_stat_subscription s WHERE s.subname = wait_worker_gone.subname AND s.pid IS NOT NULL) LOOP
		IF clock_timestamp() > t_end THEN
			RAISE EXCEPTION 'bench/apply.sh: subscription % still has an apply worker % s after it was disabled',
				subname, deadline;
		END IF;
		PERFORM pg_sleep(0.02);
	END LOOP;
END $$;
EOF
}

# the tables, the same on both nodes
tables_sql()
{
	cat <<'EOF'
SET client_min_messages = warning;
CREATE EXTENSION likeset;
CREATE SCHEMA ap;
SELECT likeset_create_log('ap.page_likes', 'bigint') IS NOT NULL AS created \gset
CREATE TABLE ap.pages (id bigint PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
SELECT likeset_replicate('ap.pages');
CREATE TABLE ap.norm_likes (
	page bigint,
	user_id text,
	ts timestamptz NOT NULL,
	removed boolean NOT NULL DEFAULT false,
	PRIMARY KEY (page, user_id)
);
EOF
}

# the end of the WAL after the last commit, as the decoder reports it: when
# a record ends exactly at a page boundary, pg_current_wal_insert_lsn()
# points past the next page's header, where no commit ever ends
target_sql="SELECT CASE WHEN b % seg = 40 THEN l - 40 WHEN b % blk = 24 THEN l - 24 ELSE l END
	FROM (SELECT l, l - '0/0'::pg_lsn AS b, pg_size_bytes(current_setting('wal_segment_size')) AS seg,
				 current_setting('wal_block_size')::numeric AS blk
			FROM pg_current_wal_insert_lsn() l) w"

# settle: log a running-xacts record and wait until every subscription's
# slot has its restart_lsn past it (and everything confirmed), so that a
# walsender started later decodes from there.  A slot takes a new restart
# point only once the previous one is confirmed, so try a few times.
settle()
{
	_try=1
	while :; do
		_sl0=$(qp "SELECT pg_current_wal_insert_lsn()")
		# a temporary logical slot: its creation logs the record; it is dropped as psql leaves
		qp "SELECT FROM pg_create_logical_replication_slot('apbench_settle', 'pgoutput', true)" >/dev/null
		if [ "$(qp "SELECT apbench.slots_past('{$all_subs}', '$_sl0', 5)")" = t ]; then
			return 0
		fi
		if [ "$_try" -ge 6 ]; then
			echo "bench/apply.sh: the subscriptions' slots do not move their restart_lsn past $_sl0:" >&2
			qp "SELECT slot_name, active, restart_lsn, confirmed_flush_lsn FROM pg_replication_slots" >&2
			exit 1
		fi
		_try=$((_try + 1))
	done
}

# turn APPROACH ROUND: one measurement (see Method above)
turn()
{
	_a=$1
	_r=$2
	_s=ap_$_a
	settle
	qs "ALTER SUBSCRIPTION $_s DISABLE"
	qs "SELECT apbench.wait_worker_gone('$_s', $stop_deadline)" >/dev/null
	qp "SELECT apbench.wait_slot_inactive('$_s', $stop_deadline)" >/dev/null
	_restart=$(qp "SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '$_s'")
	_l0=$(qp "SELECT pg_current_wal_insert_lsn()")

	# N likes: N - 1 by pgbench, asynchronous commits
	if [ "$nlikes" -gt 1 ]; then
		if ! PGOPTIONS="-c synchronous_commit=off" "$PGBIN/pgbench" -h "$tmp" -p "$port" \
			-n -M prepared -c 1 -t $((nlikes - 1)) -f "$tmp/like_$_a.pgbench" \
			-D pages="$npages" -D r="$_r" -D k=0 postgres >"$logs/like.$_a.r$_r.out" 2>&1; then
			echo "bench/apply.sh: pgbench ($_a, round $_r) failed:" >&2
			tail -n 20 "$logs/like.$_a.r$_r.out" >&2
			exit 1
		fi
		if grep -q 'number of failed transactions: [1-9]' "$logs/like.$_a.r$_r.out"; then
			echo "bench/apply.sh: pgbench ($_a, round $_r) had failed transactions" >&2
			exit 1
		fi
		sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$logs/like.$_a.r$_r.out" | tail -n 1 >>"$logs/tps.$_a"
	fi
	# ... and the last one committed synchronously, which flushes them all;
	# the target is the end of its commit record
	_target=$(pub -At <<EOF
\o /dev/null
$(like_stmt "$_a" "1 + floor(random() * $npages)" "'u$_r-$nlikes'")
\o
$target_sql;
EOF
)
	qp "SELECT pg_wal_lsn_diff('$_target', '$_l0') / $nlikes" >>"$logs/wal.$_a"

	# the other subscriptions skip these likes; let them finish before the clock starts
	_others=$(for _o in $approaches; do [ "$_o" = "$_a" ] || printf 'ap_%s,' "$_o"; done)
	qp "SELECT apbench.wait_replay('{${_others%,}}', '$_target', $catchup_deadline)" >/dev/null

	# the catch-up, timed with the servers' clock (the same machine's)
	_t0=$(sub -At -c "SELECT extract(epoch FROM clock_timestamp())" -c "ALTER SUBSCRIPTION $_s ENABLE")
	if ! _w=$(qp "SELECT * FROM apbench.wait_replay('{$_s}', '$_target', $catchup_deadline)" 2>"$logs/wait.err"); then
		echo "bench/apply.sh: $_a, round $_r: the subscriber did not catch up with $nlikes likes within $catchup_deadline s:" >&2
		cat "$logs/wait.err" >&2
		exit 1
	fi
	_secs=$(calc "${_w#*|} - $_t0" "%.4f")
	# the walsender's start, as the loop first saw it (within 20 ms)
	calc "${_w%%|*} - $_t0" "%.4f" >>"$logs/start.$_a"
	echo "$_secs" >>"$logs/secs.$_a"
	echo "$_secs" >"$logs/secs.$_a.r$_r"
	qp "SELECT pg_wal_lsn_diff('$_target', '$_restart')" >>"$logs/read.$_a"

	# both nodes hold the same likes, all of them
	_want=$(($(wc -l <"$logs/secs.$_a") * nlikes))
	_p=$(qp "$(state_sql "$_a")")
	_q=$(qs "$(state_sql "$_a")")
	if [ "${_p%%|*}" != "$_want" ]; then
		echo "bench/apply.sh: $_a, round $_r: the publisher holds ${_p%%|*} likes, not $_want (user ids not unique?)" >&2
		exit 1
	fi
	if [ "$_p" != "$_q" ]; then
		echo "bench/apply.sh: $_a, round $_r: the subscriber differs from the publisher after catching up" >&2
		echo "  publisher  (likes|rows|digest): $_p" >&2
		echo "  subscriber (likes|rows|digest): $_q" >&2
		exit 1
	fi
	_errs=$(qs "SELECT apply_error_count + sync_error_count FROM pg_stat_subscription_stats WHERE subname = '$_s'")
	if [ "$_errs" != 0 ]; then
		echo "bench/apply.sh: $_a, round $_r: subscription $_s had $_errs errors (pg_stat_subscription_stats)" >&2
		exit 1
	fi
	say "$_a, round $_r: $nlikes likes applied in $_secs s ($(calc "$nlikes / $_secs" "%.0f") likes/s); subscriber = publisher, $_want likes"

	# between bursts, untimed: folding, vacuum
	case $_a in
		log)
			qp "SELECT likeset_fold('ap.page_likes')" >/dev/null
			qs "SELECT likeset_fold('ap.page_likes')" >/dev/null
			_vac="ap.page_likes, ap.page_likes_part, ap.page_likes_head" ;;
		column) _vac="ap.pages" ;;
		normalized) _vac="ap.norm_likes" ;;
	esac
	qp "VACUUM $_vac"
	qs "VACUUM $_vac"
}

# --- the servers --------------------------------------------------------------
say "temporary servers in $tmp: publisher on port $port, subscriber on $sport, Unix socket only, wal_level=logical"
server pub "$port"
server sub "$sport"
for node in pub sub; do
	tables_sql | $node -o /dev/null
	waits_sql | $node -o /dev/null
done
pgversion=$(qp "SHOW server_version")
settings=$(qp "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_level',
		'autovacuum', 'fsync', 'full_page_writes', 'synchronous_commit', 'default_toast_compression', 'lc_collate',
		'wal_retrieve_retry_interval')")
say "PostgreSQL $pgversion: $settings"

pub <<'EOF'
CREATE PUBLICATION ap_pub_log FOR TABLE ap.page_likes (key, element, ts, removed) WITH (publish = 'insert');
CREATE PUBLICATION ap_pub_column FOR TABLE ap.pages;
CREATE PUBLICATION ap_pub_normalized FOR TABLE ap.norm_likes;
EOF
for a in $approaches; do
	qs "CREATE SUBSCRIPTION ap_$a CONNECTION 'host=$tmp port=$port dbname=postgres'
		PUBLICATION ap_pub_$a WITH (copy_data = false${origin:+, origin = $origin}${binary:+, binary = $binary})"
	# a like by a new user, 'u<round>-<n>' (pgbench keeps k from one
	# transaction to the next), on a page drawn uniformly
	{
		printf '%s\n' '\set page random(1, :pages)' '\set k :k + 1'
		like_stmt "$a" ":page" "'u' || :r || '-' || :k"
	} >"$tmp/like_$a.pgbench"
done

# the column's rows, created on the publisher and replicated (so they are the
# same on both nodes, likeset_row_ts included)
say "creating $npages pages (the likeset column's rows) on the publisher; they replicate"
qp "INSERT INTO ap.pages (id) SELECT generate_series(1, $npages)"
target=$(qp "$target_sql")
qp "SELECT apbench.wait_replay('{$all_subs}', '$target', $catchup_deadline)" >/dev/null
if case " $approaches " in *" column "*) false ;; *) true ;; esac; then
	: # no column subscription: the rows stay on the publisher
elif [ "$(qs "SELECT count(*) FROM ap.pages")" != "$npages" ] ||
	[ "$(qp "$(state_sql column)")" != "$(qs "$(state_sql column)")" ]; then
	echo "bench/apply.sh: the pages did not replicate" >&2
	exit 1
fi

# every round starts from vacuumed tables, the first one too: the planner
# plans the likes' and the triggers' statements (kept for the session) from
# what VACUUM recorded, so an unvacuumed first round would differ
for node in qp qs; do
	$node "VACUUM ap.page_likes, ap.page_likes_part, ap.page_likes_head, ap.pages, ap.norm_likes"
done

printf 'workload,size,approach,metric,value,unit\n' >"$out/apply.csv"

# --- measurements -----------------------------------------------------------
r=1
while [ "$r" -le "$rounds" ]; do
	say "round $r of $rounds: $nlikes likes on $npages pages per approach, then the subscriber's catch-up"
	for a in $(rotate "$r" $approaches); do
		turn "$a" "$r"
	done
	r=$((r + 1))
done

# the subscriber's log: errors that did not count as apply errors
sub_errors=$(grep -c 'ERROR:' "$tmp/sub.log" || true)
if [ "$sub_errors" != 0 ]; then
	echo "bench/apply.sh: warning: the subscriber's log has $sub_errors ERROR lines:" >&2
	grep 'ERROR:' "$tmp/sub.log" | head -n 10 >&2
fi

# --- report ---------------------------------------------------------------------
# figures APPROACH: sets f_secs (median catch-up), f_rate, f_ratio (÷ the
# normalized table's rate), f_rounds, f_tps, f_wal, f_read
figures()
{
	f_secs=$(median <"$logs/secs.$1")
	f_rate=$(calc "$nlikes / $f_secs" '%.0f')
	f_ratio=$(calc "$(median <"$logs/secs.normalized") / $f_secs" '%.2f')
	f_rounds=$(paste -s -d, "$logs/secs.$1" | sed 's/,/, /g')
	if [ -s "$logs/tps.$1" ]; then f_tps=$(median <"$logs/tps.$1"); else f_tps=NaN; fi
	f_wal=$(median <"$logs/wal.$1")
	f_read=$(median <"$logs/read.$1")
	f_start=$(median <"$logs/start.$1")
}
for a in $approaches; do
	figures "$a"
	emit apply "$nlikes" "$a" catchup_seconds "$f_secs" s
	emit apply "$nlikes" "$a" apply_rate "$f_rate" likes/s
	emit apply "$nlikes" "$a" apply_rate_vs_normalized "$f_ratio" x
	emit apply "$nlikes" "$a" publisher_like_rate "$f_tps" likes/s
	emit apply "$nlikes" "$a" wal_bytes_per_like "$(calc "$f_wal" '%.1f')" B
	emit apply "$nlikes" "$a" wal_read_per_catchup "$(calc "$f_read" '%.0f')" B
	emit apply "$nlikes" "$a" walsender_start_seconds "$f_start" s
	r=1
	while [ "$r" -le "$rounds" ]; do
		emit apply "$nlikes" "$a" "catchup_seconds_round$r" "$(cat "$logs/secs.$a.r$r")" s
		r=$((r + 1))
	done
	case $a in
		log) ratio_log=$f_ratio ;;
		column) ratio_column=$f_ratio ;;
	esac
done
emit apply "$nlikes" all pages "$npages" pages
emit apply "$nlikes" all rounds "$rounds" rounds

# met GOAL RATIO: met or **missed**
met()
{
	if awk -v r="$2" -v g="$1" 'BEGIN { exit !(r >= g) }'; then echo met; else echo '**missed**'; fi
}
# fmt_s SECONDS: three significant figures; fmt_n NUMBER: whole, with thousands separators
fmt_s()
{
	awk -v v="$1" 'BEGIN { if (v >= 100) printf "%.0f\n", v; else if (v >= 10) printf "%.1f\n", v;
		else if (v >= 1) printf "%.2f\n", v; else printf "%.3f\n", v }'
}
fmt_n()
{
	awk -v v="$1" 'BEGIN { if (v == "NaN" || v == "") { print "–"; exit }
		s = sprintf("%.0f", v); n = length(s); o = ""
		for (i = 1; i <= n; i++) { o = o substr(s, i, 1); if ((n - i) % 3 == 0 && i < n) o = o "," }
		print o }'
}
label()
{
	case $1 in
		log) echo "log layout" ;;
		column) echo "likeset column" ;;
		normalized) echo "normalized table" ;;
	esac
}

elapsed=$(($(date +%s) - t_start))
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
{
	echo "# Subscriber catch-up: logical replication apply rate of likes"
	echo
	echo "Made by \`sh bench/apply.sh\` (run last by \`make bench\`) on $(date -u '+%Y-%m-%d %H:%M UTC'), in $elapsed s: PostgreSQL $pgversion, ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') cores."
	echo
	echo "- Two temporary servers on this machine, a publisher and a subscriber, Unix sockets only: $settings (the last lowered from 5 s, which PostgreSQL 15's launcher waits at most between starting workers, so that an enabled subscription's worker starts at once); one publication and one subscription (\`copy_data = false\`${origin:+, \`origin = $origin\`}${binary:+, \`binary = $binary\`}, default \`synchronous_commit = off\`) per approach."
	echo "- $(fmt_n "$nlikes") likes per approach and round, each by a new user on one of $npages pages drawn uniformly; $rounds round(s), the approaches interleaved in an order that rotates; each page gains about $(fmt_n "$(calc "$nlikes / $npages")") likes per approach and round, to about $(fmt_n "$(calc "$rounds * $nlikes / $npages")") at the end (the likeset column ships a page's whole value with each like, so its rounds get slower as the values grow)."
	echo "- Method: with the approach's subscription disabled (apply worker and walsender gone), the likes run on the publisher (pgbench, one client, \`-M prepared\`, \`synchronous_commit=off\`, the last like committed synchronously); when the other subscriptions have passed that WAL, the subscription is enabled, and its catch-up time runs until the publisher's \`pg_stat_replication.replay_lsn\` for it reaches the publisher's WAL position after the last like (polled every 20 ms), so it includes the apply worker's start, decoding and sending; the figure is the median over the rounds. After every round the subscriber held exactly the publisher's likes (count and per-page digests, every like of the run) and \`pg_stat_subscription_stats\` showed no error."
	echo "- **log layout**: \`likeset_create_log('ap.page_likes', 'bigint')\` on both nodes, published with \`publish = 'insert'\`, like = \`likeset_like('ap.page_likes', page, user)\`, folded on both nodes (untimed) after each round; **likeset column**: \`ap.pages(id bigint primary key, likes likeset)\` with \`likeset_replicate\` on both nodes (the apply worker merges each incoming value), its $npages rows created before the first round, like = \`likeset_like('ap.pages', page, user)\`; **normalized table**: \`ap.norm_likes(page, user_id, ts, removed, primary key (page, user_id))\`, like = \`INSERT … ON CONFLICT (page, user_id) DO UPDATE SET ts = greatest(excluded.ts, norm_likes.ts + interval '1 microsecond'), removed = false\`. Each approach's tables are vacuumed on both nodes (untimed) before the first round and after each round; autovacuum is off."
	echo "- *until the walsender runs*: from the enabling to the first poll that sees the subscription's walsender (median; part of the catch-up, within 20 ms); *WAL per like*: the publisher's WAL over the round's likes ÷ likes; *WAL read*: from the slot's restart_lsn to the target, what the walsender reads in a catch-up; *publisher like rate*: pgbench's, while the other approaches' walsenders decode the same WAL."
	echo
	echo "| approach | catch-up, s (median) | apply rate, likes/s | ÷ normalized | catch-up per round, s | of which until the walsender runs, s | publisher like rate, likes/s | WAL per like, B | WAL read per catch-up, B |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
	for a in $approaches; do
		figures "$a"
		printf '| %s | %s | %s | %s× | %s | %s | %s | %s | %s |\n' "$(label "$a")" "$(fmt_s "$f_secs")" \
			"$(fmt_n "$f_rate")" "$f_ratio" "$f_rounds" "$(fmt_s "$f_start")" "$(fmt_n "$f_tps")" "$(fmt_n "$f_wal")" "$(fmt_n "$f_read")"
	done
	echo
	echo "## Targets: apply rate ÷ the normalized table's"
	echo
	echo "| target | measured | goal | result |"
	echo "|---|--:|--:|:-:|"
	if [ -n "${ratio_log:-}" ]; then
		echo "| log layout ÷ normalized table | ${ratio_log}× | ≥ 0.7× | $(met 0.7 "$ratio_log") |"
	fi
	if [ -n "${ratio_column:-}" ]; then
		echo "| likeset column ÷ normalized table | ${ratio_column}× | ≥ 0.3× | $(met 0.3 "$ratio_column") |"
		echo "| likeset column ÷ normalized table, a later issue's goal | ${ratio_column}× | ≥ 0.5× | $(met 0.5 "$ratio_column") |"
	fi
	if [ "$sub_errors" != 0 ]; then
		echo
		echo "Warning: the subscriber's log has $sub_errors ERROR lines, none counted as an apply error."
	fi
} >"$out/apply.md"

cat "$out/apply.md"
say "done in ${elapsed} s: $out/apply.csv, $out/apply.md"
