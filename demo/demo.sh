#!/bin/sh
# demo/demo.sh: the likes story in two acts, on temporary PostgreSQL servers
# of its own.
#
# Act 1 (demo/demo.sql) runs on one server: a counter against likeset, a
# retried like, an unlike and a late retry, two diverged states merged.
# Act 2 (below) runs on three servers, A, B and C, that replicate the table
# pages to each other by logical replication (a full mesh), with
# likeset_replicate() merging incoming rows instead of overwriting: a like
# retried on another node, a network partition, a late retry, the healing.
#
# Run as an unprivileged user (initdb refuses root); `make demo` arranges that.
# Environment: PGBIN, the servers' bin directory (default: pg_config --bindir);
# DEMO_PORT_A, DEMO_PORT_B, DEMO_PORT_C, the nodes' ports (default 54441,
# 54442, 54443).  The servers listen only on Unix sockets in a fresh temporary
# directory (mode 0700), which holds their data directories too; on exit,
# failure or Ctrl-C they are stopped and the directory removed.
#
# Every claim the narration makes is checked (DO ... ASSERT on a node, or a
# test in the shell comparing nodes): if one does not hold, the demo stops
# with a non-zero exit status.  The nodes are synchronised by polling, at
# most 30 s per wait, never by sleeping a fixed time.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
sql="$here/demo.sql"
port_A=${DEMO_PORT_A:-54441}
port_B=${DEMO_PORT_B:-54442}
port_C=${DEMO_PORT_C:-54443}
timeout_ms=30000
if [ -z "${PGBIN:-}" ]; then
	PGBIN=$(pg_config --bindir 2>/dev/null) || PGBIN=""
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "demo.sh: run me as an unprivileged user (initdb refuses root), or use 'make demo'" >&2
	exit 1
fi
for prog in initdb pg_ctl psql; do
	if [ ! -x "$PGBIN/$prog" ]; then
		echo "demo.sh: ${PGBIN:-?}/$prog not found; set PGBIN to the server's bin directory" >&2
		exit 1
	fi
done
for p in "$port_A" "$port_B" "$port_C"; do
	case $p in
		'' | *[!0-9]*)
			echo "demo.sh: bad port \"$p\" (DEMO_PORT_A, DEMO_PORT_B, DEMO_PORT_C)" >&2
			exit 1 ;;
	esac
done
if [ "$port_A" = "$port_B" ] || [ "$port_A" = "$port_C" ] || [ "$port_B" = "$port_C" ]; then
	echo "demo.sh: the three nodes need three different ports" >&2
	exit 1
fi

# Settings from the caller's environment must not redirect our connections.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE \
	PGOPTIONS PGPASSWORD PGPASSFILE PGSSLMODE PGDATA PGTZ PGDATESTYLE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/likeset-demo-nodes.XXXXXX")
started=""		# the nodes whose server may be running

# Stop a node's server: fast (rolls back, disconnects), else immediate
stop_node()
{
	"$PGBIN/pg_ctl" -D "$tmp/$1" -s -m fast -t 20 stop >/dev/null 2>&1 ||
		"$PGBIN/pg_ctl" -D "$tmp/$1" -s -m immediate stop >/dev/null 2>&1 || true
}

cleanup()
{
	status=$?
	trap - EXIT
	trap '' INT TERM HUP	# a second Ctrl-C must not leave servers running
	if [ "$status" -ne 0 ] && [ "$status" -lt 128 ]; then
		for n in $started; do
			if [ -s "$tmp/$n.log" ]; then
				echo "demo.sh: the end of node $n's log:" >&2
				tail -n 15 "$tmp/$n.log" >&2
			fi
		done
	fi
	for n in $started; do
		stop_node "$n" &
	done
	wait		# the servers stopping, and an initdb that was running
	cd /
	rm -rf "$tmp"
	if [ "$status" -ne 0 ]; then
		echo "demo.sh: failed (exit status $status)" >&2
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Our own directory as the working directory: the caller's may be unreadable
# to us (runuser from root's home, for example).
cd "$tmp"

fail()
{
	echo "demo.sh: claim does not hold: $*" >&2
	exit 1
}

# port_of NODE: NODE's port
port_of()
{
	case $1 in
		A) echo "$port_A" ;;
		B) echo "$port_B" ;;
		C) echo "$port_C" ;;
	esac
}

# psql_on NODE DBNAME [OPTION...]: psql reading SQL from stdin, connected to
# database DBNAME on NODE
psql_on()
{
	_port=$(port_of "$1")
	_db=$2
	shift 2
	PGOPTIONS='-c client_min_messages=warning' \
		"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off "$@" \
		-h "$tmp" -p "$_port" -U postgres -d "$_db" -f -
}

# q NODE SQL: run SQL (statements separated by ;) on NODE's database postgres,
# print the rows unaligned, fields separated by |
q()
{
	printf '%s\n' "$2" | psql_on "$1" postgres -At
}

# run NODE SQL: show SQL, prefixed with the node's name, and run it on NODE
run()
{
	printf '  %s: %s\n' "$1" "$2"
	q "$1" "$2" >/dev/null
}

# is_true NODE QUERY: does QUERY, on NODE, return true?
is_true()
{
	[ "$(q "$1" "$2")" = t ]
}

# check NODE CONDITION MESSAGE: CONDITION must hold for page 1 on NODE
# (a DO ... ASSERT, as in demo.sql; no quote in MESSAGE)
check()
{
	q "$1" "DO \$\$ BEGIN ASSERT (SELECT $2 FROM pages WHERE page_id = 1),
		'node $1: $3'; END \$\$" >/dev/null
}

# state NODE: NODE's page 1 (the likes column as text)
state()
{
	q "$1" "SELECT likes FROM pages WHERE page_id = 1"
}

# same_state NODE NODE...: do these nodes hold page 1 in the same state?
same_state()
{
	_first=$(state "$1") || return 1
	shift
	for _other in "$@"; do
		[ "$(state "$_other")" = "$_first" ] || return 1
	done
}

now_ms()
{
	date +%s%3N
}

# wait_until WHAT COMMAND...: run COMMAND every 0.1 s until it succeeds;
# fail after 30 s.  Sets waited_ms.
wait_until()
{
	_what=$1
	shift
	_t0=$(now_ms)
	until "$@"; do
		if [ $(($(now_ms) - _t0)) -ge $timeout_ms ]; then
			fail "still not the case after $((timeout_ms / 1000)) s: $_what"
		fi
		sleep 0.1
	done
	waited_ms=$(($(now_ms) - _t0))
}

# sub SUBSCRIBER PUBLISHER: the name of SUBSCRIBER's subscription to
# PUBLISHER (a_from_b), also the name of its slot on PUBLISHER
sub()
{
	echo "$1_from_$2" | tr ABC abc
}

# others NODE: the two other nodes
others()
{
	case $1 in
		A) echo B C ;;
		B) echo A C ;;
		C) echo A B ;;
	esac
}

# wait_caught_up: wait until every node's WAL, as of now, has been applied by
# the two nodes that subscribe to it
wait_caught_up()
{
	for _pub in A B C; do
		_lsn=$(q $_pub "SELECT pg_current_wal_lsn()")
		set -- $(others $_pub)
		wait_until "nodes $1 and $2 apply node $_pub's changes up to $_lsn" \
			is_true $_pub "SELECT count(*) = 2 FROM pg_stat_replication
				WHERE application_name IN ('$(sub $1 $_pub)', '$(sub $2 $_pub)')
				  AND replay_lsn >= '$_lsn'"
	done
}

# check_links_healthy: on every node, both apply workers are running and none
# has ever failed (a duplicate key, for one, would have stopped it).  A
# subscription just enabled has no worker until the launcher starts one,
# which can take up to wal_retrieve_retry_interval after the last start,
# and the nodes may converge through another path before that: wait for it.
check_links_healthy()
{
	for _n in A B C; do
		wait_until "node $_n: both subscriptions have a running apply worker" \
			is_true $_n "SELECT count(pid) = 2 FROM pg_stat_subscription WHERE relid IS NULL"
		q $_n "DO \$\$ BEGIN
			ASSERT (SELECT coalesce(sum(apply_error_count), 0) FROM pg_stat_subscription_stats) = 0,
				'node $_n: an apply worker failed; see the node log';
			END \$\$" >/dev/null
	done
}

# wal_written NODE FROM TO: say what NODE wrote to its WAL from FROM to TO
# (with pg_walinspect; else only how much)
wal_written()
{
	q "$1" "SELECT format('  %s wrote %s bytes: %s', '$1', '$3'::pg_lsn - '$2'::pg_lsn,
			coalesce((SELECT string_agg(format('%s x %s/%s', n, rm, rt), ', ')
				FROM (SELECT resource_manager AS rm, record_type AS rt, count(*) AS n
					FROM pg_get_wal_records_info('$2', least('$3'::pg_lsn, pg_current_wal_flush_lsn()))
					GROUP BY 1, 2 ORDER BY 1, 2) AS r), '?'))
		FROM pg_extension WHERE extname = 'pg_walinspect'
		UNION ALL
		SELECT format('  %s wrote %s bytes', '$1', '$3'::pg_lsn - '$2'::pg_lsn)
		WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_walinspect')"
}

# show: each node's page 1
show()
{
	echo
	echo ' node | likes | liked by    | state'
	echo '------+-------+-------------+-----------------------------------------------------------'
	for _n in A B C; do
		q $_n "SELECT format(' %-4s | %5s | %-11s | %s', '$_n', likeset_count(likes),
				coalesce(nullif(array_to_string(array(SELECT likeset_elements(likes)), ', '), ''), '-'),
				likes)
			FROM pages WHERE page_id = 1"
	done
	echo
}


######## The servers

for n in A B C; do
	"$PGBIN/initdb" -D "$tmp/$n" -A trust -U postgres --no-locale -E UTF8 -N \
		>"$tmp/initdb-$n.log" 2>&1 &
	eval "initdb_$n=\$!"
done
for n in A B C; do
	if ! eval "wait \$initdb_$n"; then
		cat "$tmp/initdb-$n.log" >&2
		exit 1
	fi
	port=$(port_of $n)
	cat >>"$tmp/$n/postgresql.conf" <<-EOF

		# likeset demo: node $n
		port = $port
		listen_addresses = ''
		unix_socket_directories = '$tmp'
		wal_level = logical
		fsync = off
		# start apply workers without the default 5 s pause
		wal_retrieve_retry_interval = '200ms'
	EOF
done
for n in A B C; do
	started="$started $n"
	if ! "$PGBIN/pg_ctl" -D "$tmp/$n" -l "$tmp/$n.log" -w -t 60 -s start; then
		echo "demo.sh: node $n did not start on port $(port_of $n); its log:" >&2
		cat "$tmp/$n.log" >&2
		exit 1
	fi
done


######## Act 1: one server (node A)

q A "CREATE DATABASE act1"
echo
echo '######## Act 1: one server ########'
psql_on A act1 <"$sql"


######## Act 2: three servers that replicate to each other

T1='2026-11-28 10:00:00+00'	# tahir's like
T2='2026-11-28 10:05:00+00'	# tara's like
T3='2026-11-28 10:10:00+00'	# tahir's unlike

echo
echo '######## Act 2: three servers that replicate to each other ########'
echo
echo "Three PostgreSQL servers, nodes A, B and C, each have the table"
echo "  pages (page_id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}')"
echo "and accept writes.  Each publishes its changes to pages, and subscribes to"
echo "the two others (logical replication, a full mesh); the subscriptions start"
echo "disabled."
# pg_walinspect (a contrib module), if there is one, for step 6 to say what
# WAL was written
for n in A B C; do
	q $n "DO \$\$ BEGIN
		IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_walinspect') THEN
			CREATE EXTENSION pg_walinspect;
		END IF; END \$\$"
done
for n in A B C; do
	q $n "CREATE EXTENSION likeset;
		CREATE TABLE pages (page_id int PRIMARY KEY, likes likeset NOT NULL DEFAULT '{}');
		SELECT likeset_replicate('pages');
		CREATE PUBLICATION likes FOR TABLE pages;" >/dev/null
done
# One at a time: creating a subscription creates its slot on the publisher,
# which waits for the publisher's open transactions to end.
for n in A B C; do
	for p in $(others $n); do
		port=$(port_of $p)
		q $n "CREATE SUBSCRIPTION $(sub $n $p)
			CONNECTION 'host=$tmp port=$port dbname=postgres user=postgres'
			PUBLICATION likes WITH (copy_data = false, enabled = false)"
	done
done
echo "Plain logical replication overwrites a node's row with the incoming one."
echo "likeset_replicate('pages'), run on each node, makes it merge instead: an"
echo "incoming row's likes are merged with the local likes (for every user the"
echo "later operation wins), and an incoming row equal to the local one after"
echo "the merge is not written, so it is not sent on: changes do not echo"
echo "around the mesh for ever."

echo
echo '=== 1. Page 1 is created on every node ==='
echo
echo 'Page 1 is created on A, B and C at about the same time, before any of them'
echo 'has heard of the others: each runs INSERT INTO pages (page_id) VALUES (1).'
for n in A B C; do
	run $n "INSERT INTO pages (page_id) VALUES (1)"
done
echo 'Then the subscriptions are enabled.  Each node receives the inserts of the'
echo 'two others, for a key it has already: plain logical replication would stop'
echo 'there with a duplicate-key error.  Here the incoming row is merged into the'
echo 'existing one.'
for n in A B C; do
	for p in $(others $n); do
		run $n "ALTER SUBSCRIPTION $(sub $n $p) ENABLE"
	done
done
wait_caught_up
echo "Every node has applied the two others' inserts (after ${waited_ms} ms), and"
echo 'replication is still running everywhere:'
check_links_healthy
show
for n in A B C; do
	check $n "likes = '{}'" 'page 1 should have no likes yet'
done

echo '=== 2. A like, its acknowledgement lost, retried on another node ==='
echo
echo "tahir likes page 1; the request goes to node A, with the client's click"
echo "time, 10:00:"
run A "UPDATE pages SET likes = likeset_add(likes, 'tahir', '$T1') WHERE page_id = 1"
echo "A commits, but the acknowledgement is lost; the client retries the same"
echo "request (same click time) and this time reaches node B:"
run B "UPDATE pages SET likes = likeset_add(likes, 'tahir', '$T1') WHERE page_id = 1"
wait_until 'A, B and C hold the same state' same_state A B C
echo "All three nodes hold the same state (after ${waited_ms} ms): one like, not two."
show
for n in A B C; do
	check $n "likeset_count(likes) = 1 AND likes = '{tahir@$T1}'" \
		'page 1 should be liked by tahir only, once'
done

echo '=== 3. C is cut off; tara likes on C, tahir unlikes on A ==='
echo
echo 'The network between C and the others fails: the subscriptions of C, and'
echo 'those of A and B that read from C, are disabled.'
for n in A B; do
	run $n "ALTER SUBSCRIPTION $(sub $n C) DISABLE"
	run C "ALTER SUBSCRIPTION $(sub C $n) DISABLE"
done
for n in A B C; do
	case $n in
		C) subs="'$(sub C A)', '$(sub C B)'" ;;
		*) subs="'$(sub $n C)'" ;;
	esac
	wait_until "node $n's apply workers for the link with C stop" \
		is_true $n "SELECT count(pid) = 0 FROM pg_stat_subscription WHERE subname IN ($subs)"
done
echo 'On C, tara likes page 1 at 10:05:'
run C "UPDATE pages SET likes = likeset_add(likes, 'tara', '$T2') WHERE page_id = 1"
echo 'On A, tahir unlikes page 1 at 10:10:'
run A "UPDATE pages SET likes = likeset_remove(likes, 'tahir', '$T3') WHERE page_id = 1"
wait_until 'B holds the same state as A' same_state A B
echo "B has received the unlike from A (after ${waited_ms} ms): A and B agree, C"
echo 'still has tahir, and only C knows about tara:'
show
check A "NOT likes @> 'tahir' AND NOT likes @> 'tara'" \
	'tahir should have unliked, and tara not be known yet'
same_state A B || fail 'A and B should agree'
check C "likeset_count(likes) = 2 AND likes @> 'tahir' AND likes @> 'tara'" \
	'C should have both likes, and not know of the unlike'
! same_state A C || fail 'C should differ from A'
state_C=$(state C)

echo '=== 4. A late retry of the 10:00 like arrives at C ==='
echo
echo "tahir's client retries its 10:00 like once more; the request was held up"
echo 'somewhere and now reaches C, which has not heard of the unlike:'
run C "UPDATE pages SET likes = likeset_add(likes, 'tahir', '$T1') WHERE page_id = 1"
show
[ "$(state C)" = "$state_C" ] || fail 'the retry should leave C unchanged'
echo "C had that like already, so its state is unchanged; but the UPDATE wrote"
echo "the row all the same, and when the link is back, C sends A and B a row in"
echo "which tahir likes page 1.  Overwriting A's and B's rows with it would bring"
echo 'tahir back, after he unliked.'

echo
echo '=== 5. The network heals ==='
echo
echo 'All subscriptions are enabled again:'
t0=$(now_ms)
for n in A B; do
	run $n "ALTER SUBSCRIPTION $(sub $n C) ENABLE"
	run C "ALTER SUBSCRIPTION $(sub C $n) ENABLE"
done
wait_until 'A, B and C hold the same state' same_state A B C
echo "A, B and C hold the same state again $(($(now_ms) - t0)) ms after the links came back:"
show
for n in A B C; do
	check $n "likes = '{-tahir@$T3,tara@$T2}'" \
		'tahir should be absent (unliked at 10:10), tara present'
done
check_links_healthy
echo "tahir's 10:10 unlike beat his 10:00 like, however many times and by"
echo "whichever route the like arrived; tara's like, made on C during the"
echo 'partition, reached A and B.'

echo
echo '=== 6. Replication goes quiet ==='
echo
echo 'Every incoming row that changes nothing is dropped on arrival, so the last'
echo 'changes do not circulate around the mesh for ever.  Once each node has'
echo "applied the others' WAL, the WAL position (pg_current_wal_lsn()) of every"
echo 'node stands still; measured twice, 2 s apart:'
wait_caught_up
# wal_positions: every node's pg_current_wal_lsn(), A's, B's and C's
wal_positions()
{
	for _n in A B C; do
		q $_n "SELECT pg_current_wal_lsn()"
	done
}
attempt=1
while :; do
	# shellcheck disable=SC2046  # three words, and three more
	set -- $(wal_positions)
	sleep 2		# the measuring window, not a synchronisation
	# shellcheck disable=SC2046
	set -- "$@" $(wal_positions)
	echo
	echo ' node | WAL position | 2 s later'
	echo '------+--------------+--------------'
	printf ' A    | %-12s | %s\n B    | %-12s | %s\n C    | %-12s | %s\n\n' \
		"$1" "$4" "$2" "$5" "$3" "$6"
	if [ "$1" = "$4" ] && [ "$2" = "$5" ] && [ "$3" = "$6" ]; then
		break
	fi
	echo 'Some WAL was written in those 2 s:'
	[ "$1" = "$4" ] || wal_written A "$1" "$4"
	[ "$2" = "$5" ] || wal_written B "$2" "$5"
	[ "$3" = "$6" ] || wal_written C "$3" "$6"
	if [ $attempt -ge 5 ]; then
		fail 'WAL was written in each of 5 windows of 2 s: replication did not go quiet'
	fi
	attempt=$((attempt + 1))
	echo '(PostgreSQL writes a little WAL of its own: the background writer logs'
	echo 'the running transactions, Standby/RUNNING_XACTS, some seconds after any'
	echo 'activity; autovacuum writes too.)  Measuring again:'
done
echo 'Nothing was written on any node: replication has gone quiet.'
for n in A B C; do
	check $n "likes = '{-tahir@$T3,tara@$T2}'" 'page 1 should not have changed'
done

echo
echo 'All the claims above were checked.'
