#!/bin/sh
# scripts/run.sh test|demo|bench|valgrind: set up a Debian machine (12, 13 or
# sid) for likeset and run one job.  Installs the packages it needs from
# that release (with sudo when not root), builds and installs the
# extension, then runs the job as an unprivileged user (initdb refuses
# root: as root, the job runs as "postgres" in a copy of the tree that user
# owns).  Every server the job uses is temporary and its own.
#
# Which PostgreSQL: the one PG_CONFIG names, else the major PGVER names
# (installed from the release's packages), else the release's own (the
# major its "postgresql" package depends on: 15 on Debian 12, 17 on 13,
# 18 on sid).
set -eu

mode=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO=sudo; fi

apt_updated=false
apt_update()
{
	if ! $apt_updated; then
		$SUDO apt-get update -qq
		apt_updated=true
	fi
}

# the major a metapackage depends on: "postgresql" -> postgresql-NN, "clang" -> clang-NN
depends_major()
{
	apt-cache depends "$1" 2>/dev/null | sed -n "s/^ *Depends: $1-\([0-9][0-9]*\)\$/\1/p" | head -n 1
}

if [ -n "${PG_CONFIG:-}" ]; then
	PGVER=$("$PG_CONFIG" --version | sed -n 's/^PostgreSQL \([0-9][0-9]*\).*/\1/p')
elif [ -z "${PGVER:-}" ]; then
	PGVER=$(depends_major postgresql)
	if [ -z "$PGVER" ]; then
		apt_update
		PGVER=$(depends_major postgresql)
	fi
	if [ -z "$PGVER" ]; then
		echo "scripts/run.sh: cannot tell which PostgreSQL this release ships; set PGVER (15 to 18) or PG_CONFIG" >&2
		exit 2
	fi
fi
case $PGVER in
	15 | 16 | 17 | 18) ;;
	*)
		echo "scripts/run.sh: PostgreSQL $PGVER is not supported (15 to 18 are)" >&2
		exit 2 ;;
esac
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PGVER/bin/pg_config}
CLANGVER=$(depends_major clang)
if [ -z "$CLANGVER" ]; then
	apt_update
	CLANGVER=$(depends_major clang)
fi
# clang and its runtime (libFuzzer, sanitizers) of the same major
PACKAGES="make gcc libc6-dev clang clang-$CLANGVER libclang-rt-$CLANGVER-dev libipc-run-perl"
case $PG_CONFIG in
	/usr/lib/postgresql/*) PACKAGES="$PACKAGES postgresql-$PGVER postgresql-server-dev-$PGVER" ;;
esac
[ "$mode" = bench ] && PACKAGES="$PACKAGES gnuplot-nox"
[ "$mode" = valgrind ] && PACKAGES="$PACKAGES valgrind"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "== installing:$missing"
	apt_update
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
		if [ $status -ne 0 ]; then
			for d in "$work/regression.diffs" "$work/output_iso/regression.diffs"; do
				[ -f "$d" ] && cat "$d"
			done
			# the servers' logs of the failed run outlive the copy
			if [ "$work" != "$top" ]; then
				keep=$(mktemp -d /tmp/likeset-failed.XXXXXX)
				for d in tmp_check results output_iso regression.diffs; do
					[ -e "$work/$d" ] && cp -a "$work/$d" "$keep/"
				done
				echo "== logs of the failed run (TAP nodes in tmp_check/log): $keep"
			fi
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
