#!/bin/sh
# demo/demo.sh: play demo/demo.sql on a temporary PostgreSQL server of its own.
#
# Run as an unprivileged user (initdb refuses root); `make demo` arranges that.
# Environment: PGBIN, the server's bin directory (default: pg_config --bindir);
# PGPORT, the port to use (default 54440).  The server listens only on a Unix
# socket in a fresh temporary directory (mode 0700), which holds the data
# directory too; on exit, failure or Ctrl-C the server is stopped and the
# directory removed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
sql="$here/demo.sql"
port=${PGPORT:-54440}
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

# Settings from the caller's environment must not redirect our connections.
unset PGHOST PGHOSTADDR PGDATABASE PGUSER PGSERVICE PGSERVICEFILE PGOPTIONS \
	PGPASSWORD PGPASSFILE PGSSLMODE PGDATA PGTZ PGDATESTYLE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/likeset-demo-server.XXXXXX")
data="$tmp/data"
log="$tmp/server.log"
started=no

cleanup()
{
	status=$?
	trap - EXIT INT TERM HUP
	if [ "$started" = yes ]; then
		"$PGBIN/pg_ctl" -D "$data" -s -m fast -t 30 stop >/dev/null 2>&1 ||
			"$PGBIN/pg_ctl" -D "$data" -s -m immediate stop >/dev/null 2>&1 || true
	fi
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

if ! "$PGBIN/initdb" -D "$data" -A trust -U postgres --no-locale -E UTF8 -N \
	>"$tmp/initdb.log" 2>&1; then
	cat "$tmp/initdb.log" >&2
	exit 1
fi

started=yes
if ! "$PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 60 -s \
	-o "-p $port -c listen_addresses='' -c unix_socket_directories='$tmp' -F" \
	start; then
	echo "demo.sh: the server did not start on port $port; its log:" >&2
	cat "$log" >&2
	exit 1
fi

"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off \
	-h "$tmp" -p "$port" -U postgres -d postgres -f "$sql"
