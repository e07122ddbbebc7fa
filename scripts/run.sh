#!/bin/sh
# scripts/run.sh test|demo|bench|valgrind: set up a Debian 12 machine for likeset and run
# one job.  Installs the packages it needs (with sudo when not root), builds
# and installs the extension, then runs the job as an unprivileged user
# (initdb refuses root: as root, the job runs as "postgres" in a copy of the
# tree that user owns).  Every server the job uses is temporary and its own.
set -eu

mode=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)
PGVER=15
PG_CONFIG=/usr/lib/postgresql/$PGVER/bin/pg_config
PACKAGES="make gcc libc6-dev clang libclang-rt-14-dev postgresql-$PGVER postgresql-server-dev-$PGVER libipc-run-perl"
[ "$mode" = bench ] && PACKAGES="$PACKAGES gnuplot-nox"
[ "$mode" = valgrind ] && PACKAGES="$PACKAGES valgrind"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO=sudo; fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "== installing:$missing"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Where the job runs, and as whom
if [ "$(id -u)" -eq 0 ]; then
	work=$(mktemp -d /tmp/likeset-$mode.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	cp -a "$top"/. "$work"/
	chown -R postgres: "$work"
	as_user() { runuser -u postgres -- "$@"; }
else
	work=$top
	as_user() { "$@"; }
fi

echo "== building likeset against $($PG_CONFIG --version)"
as_user make -C "$work" -s PG_CONFIG="$PG_CONFIG" clean >/dev/null
as_user make -C "$work" -s PG_CONFIG="$PG_CONFIG" 2>&1 | grep -v '^$' || true
$SUDO make -C "$work" -s PG_CONFIG="$PG_CONFIG" install >/dev/null

case "$mode" in
	test)
		status=0
		as_user make -C "$work" -s PG_CONFIG="$PG_CONFIG" check-all || status=$?
		if [ $status -ne 0 ] && [ -f "$work/regression.diffs" ]; then
			cat "$work/regression.diffs"
		fi
		exit $status
		;;
	demo)
		as_user env PGBIN="$($PG_CONFIG --bindir)" sh "$work/demo/demo.sh"
		;;
	bench)
		as_user env PGBIN="$($PG_CONFIG --bindir)" sh "$work/bench/run.sh"
		if [ "$work" != "$top" ]; then
			mkdir -p "$top/bench/out"
			cp -a "$work/bench/out/." "$top/bench/out/"
		fi
		echo "== results in bench/out/"
		;;
	valgrind)
		as_user make -C "$work" -s PG_CONFIG="$PG_CONFIG" valgrind-check
		;;
	*)
		echo "usage: scripts/run.sh test|demo|bench|valgrind" >&2
		exit 2
		;;
esac
