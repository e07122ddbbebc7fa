#!/bin/sh
# test/valgrind/run.sh: the pg_regress suite against a server running under
# Valgrind memcheck, then a scan of every process's Valgrind log.
#
# Run as an unprivileged user from a built tree after `make install`
# (`make valgrind-check` does this from the repository root).  Steps:
#   1. initdb a temporary cluster in $VALGRIND_WORK/data
#   2. start postgres under valgrind (every backend and auxiliary process is
#      forked from the postmaster, so each gets its own valgrind.PID.log)
#   3. pg_regress the Makefile's REGRESS list against it (the installed
#      pg_regress creates contrib_regression and loads the extension)
#   4. stop the server, scan the logs, print a summary
# Every test runs: on the 2-core machine, loaded by other jobs, a full run
# took 13 to 20 minutes (agg 7-8, properties 4-6, big 2-4); VALGRIND_SKIP=big
# saves the last.
# Exit status: 0 when the tests pass, no process reported an unsuppressed
# error and no server process crashed; 1 otherwise; 2 when the run could not
# be set up.
#
# Settings (environment):
#   PG_CONFIG            pg_config of the server to test (default: pg_config)
#   VALGRIND_WORK        work directory, removed and recreated (default:
#                        test/valgrind/work); logs, results/ and
#                        regression.diffs stay there after the run
#   VALGRIND_PORT        port (default 54339); the socket is in a fresh /tmp dir
#   VALGRIND_TESTS       tests to run (default: REGRESS from the Makefile,
#                        less VALGRIND_SKIP)
#   VALGRIND_SKIP        tests left out (default: none)
#   VALGRIND_OPTS        extra valgrind options, e.g. --gen-suppressions=all
#                        to write a suppression stanza under each report
#   VALGRIND_SUPPRESS    "no" runs without likeset.supp: every report is then
#                        in the logs with its origin, and the scan looks for
#                        likeset frames in all of them (an audit of what the
#                        suppressions hide; the check then fails on the
#                        benign reports, as it should)
#   VALGRIND_START_TIMEOUT, VALGRIND_STOP_TIMEOUT  seconds (default 600, 900)
#
# Limits of this check on Debian's binaries: PostgreSQL 15 is not built with
# USE_VALGRIND, so palloc'd chunks are not marked for memcheck; memcheck sees
# only the malloc'd blocks memory contexts carve them from.  Reads and writes
# past a chunk but inside its block go unseen (the unit tests and the fuzzer,
# under AddressSanitizer, cover likeset's core for that), and a chunk
# reused after pfree keeps its old, defined, bytes; reads of never-written
# bytes in fresh memory (uninitialised values, followed to their origin) and
# accesses outside any block are caught.  The postgres binary is stripped: static functions appear as
# "???" in stacks; likeset.so keeps its symbols (built with -g).
#
# The server runs with jit=off: JIT would load LLVM under valgrind (slow) and
# run generated code without symbols, and likeset's functions are called
# through the same fmgr interface either way.  -F (fsync off) as pg_regress's
# own temporary instances use.

set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

PG_CONFIG=${PG_CONFIG:-pg_config}
PORT=${VALGRIND_PORT:-54339}
WORK=${VALGRIND_WORK:-$top/test/valgrind/work}
SUPP=$top/test/valgrind/likeset.supp
START_TIMEOUT=${VALGRIND_START_TIMEOUT:-600}
STOP_TIMEOUT=${VALGRIND_STOP_TIMEOUT:-900}
SKIP=${VALGRIND_SKIP:-}

say() { echo "valgrind-check: $*"; }
die() { echo "valgrind-check: $*" >&2; exit 2; }

[ "$(id -u)" -ne 0 ] || die "run as an unprivileged user (initdb and postgres refuse root)"
command -v valgrind >/dev/null 2>&1 || die "valgrind not found (Debian: apt-get install valgrind)"
BINDIR=$("$PG_CONFIG" --bindir) || die "cannot run $PG_CONFIG"
PGXS=$("$PG_CONFIG" --pgxs)
PG_REGRESS=$(dirname "$PGXS")/../../src/test/regress/pg_regress
[ -x "$PG_REGRESS" ] || die "no pg_regress at $PG_REGRESS (install postgresql-server-dev)"
[ -f "$("$PG_CONFIG" --pkglibdir)/likeset.so" ] || die "likeset is not installed: run make install first"
[ -f "$SUPP" ] || die "no $SUPP"

# The tests: REGRESS from the Makefile (continuation lines joined), less SKIP
if [ -n "${VALGRIND_TESTS:-}" ]; then
	TESTS=$VALGRIND_TESTS
else
	TESTS=$(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' Makefile |
		sed -n 's/^REGRESS[[:space:]]*=[[:space:]]*//p')
	[ -n "$TESTS" ] || die "no REGRESS line in Makefile"
	kept=""
	for t in $TESTS; do
		case " $SKIP " in
			*" $t "*) ;;
			*) kept="$kept $t" ;;
		esac
	done
	TESTS=${kept# }
fi

case "$WORK" in
	/*) ;;
	*) WORK=$top/$WORK ;;
esac
rm -rf "$WORK"
mkdir -p "$WORK" || die "cannot create $WORK"
DATA=$WORK/data

# valgrind's options, in "$@"; --error-exitcode=1 because a backend exiting
# with 1 is a plain FATAL exit to the postmaster, not a crash that would
# restart every session: the run goes on and the logs say which process
# reported what
set -- --tool=memcheck --trace-children=yes --track-origins=yes \
	--read-var-info=no --leak-check=no --error-exitcode=1 --num-callers=40 \
	--show-error-list=yes --log-file="$WORK/valgrind.%p.log"
[ "${VALGRIND_SUPPRESS:-yes}" = no ] || set -- "$@" --suppressions="$SUPP"
SOCK=$(mktemp -d /tmp/likeset-vg.XXXXXX) || die "mktemp failed"
VG_PID=""

# Whatever happens, no server is left behind
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$VG_PID" ] && kill -0 "$VG_PID" 2>/dev/null; then
		"$BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 120 stop >/dev/null 2>&1 ||
			kill -9 "$VG_PID" 2>/dev/null
	fi
	rm -rf "$SOCK"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

t0=$(date +%s)
elapsed() { echo $(($(date +%s) - t0)); }

say "$("$BINDIR/postgres" --version), $(valgrind --version)"
say "tests: $TESTS${SKIP:+ (skipped: $SKIP)}"
say "work directory: $WORK"

"$BINDIR/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --no-locale --no-sync \
	>"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; die "initdb failed"; }

# pids in the server log match the valgrind.PID.log files
# shellcheck disable=SC2086 # VALGRIND_OPTS is a list of options
valgrind "$@" ${VALGRIND_OPTS:-} \
	"$BINDIR/postgres" -D "$DATA" -F -p "$PORT" -k "$SOCK" \
	-c listen_addresses= -c jit=off -c "log_line_prefix=%m [%p] " \
	-c log_autovacuum_min_duration=0 -c log_checkpoints=on \
	>"$WORK/postmaster.log" 2>&1 </dev/null &
VG_PID=$!

say "starting postgres under valgrind (pid $VG_PID)"
until "$BINDIR/pg_isready" -q -h "$SOCK" -p "$PORT" -t 5; do
	if ! kill -0 "$VG_PID" 2>/dev/null; then
		tail -n 30 "$WORK/postmaster.log"
		die "postgres under valgrind exited during start-up"
	fi
	[ "$(elapsed)" -lt "$START_TIMEOUT" ] || die "postgres under valgrind not ready after ${START_TIMEOUT}s"
	sleep 1
done
say "server ready after $(elapsed)s"

# Not --use-existing: that would skip creating the database and loading the
# extension.  With --host/--port and no --temp-instance, pg_regress drops and
# creates contrib_regression in the running server, as `make installcheck`.
t1=$(date +%s)
regress_status=0
# shellcheck disable=SC2086 # TESTS is a list
"$PG_REGRESS" --inputdir=. --outputdir="$WORK" --bindir="$BINDIR" \
	--host="$SOCK" --port="$PORT" --encoding=UTF8 --no-locale \
	--load-extension=likeset --dbname=contrib_regression $TESTS || regress_status=$?
say "pg_regress took $(($(date +%s) - t1))s, status $regress_status"
[ "$regress_status" -eq 0 ] || [ ! -f "$WORK/regression.diffs" ] ||
	head -n 200 "$WORK/regression.diffs"

t2=$(date +%s)
if ! "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1; then
	say "WARNING: fast shutdown failed after ${STOP_TIMEOUT}s; immediate shutdown"
	"$BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 120 stop >/dev/null 2>&1 ||
		kill -9 "$VG_PID" 2>/dev/null
fi
postmaster_status=0
wait "$VG_PID" || postmaster_status=$?
VG_PID=""
say "server stopped after $(($(date +%s) - t2))s; postmaster exit status $postmaster_status"

# The scan.  Each process's log holds its reports (one paragraph each: the
# message, its stack, then the address or origin with theirs), the
# HEAP SUMMARY, the list of used suppressions and the ERROR SUMMARY.
# Paragraphs after HEAP SUMMARY are --show-error-list's reprint of the same
# reports and are not counted again.  A report "has a likeset frame" when any
# of its stacks (including an origin's) goes through likeset.so.
awk -v countfile="$WORK/scan.count" '
function flush() {
	if (para ~ /\n *(at|by) 0x/) {
		shown++
		if (para ~ /likeset/) {
			lk++
			lkreports = lkreports "--- " file para "\n"
		}
	}
	para = ""
}
function endfile() {
	flush()
	if (file != "" && !summary) {
		nosum++
		nosumfiles = nosumfiles " " file
	}
}
FNR == 1 {
	endfile()
	procs++; done = 0; summary = 0
	file = FILENAME; sub(/.*\//, "", file)
}
# "==PID== text": reports and summaries; "--PID-- text": verbose information
/^==[0-9]+==/ {
	line = $0; sub(/^==[0-9]+== ?/, "", line)
	if (line ~ /^HEAP SUMMARY:/) { flush(); done = 1 }
	if (line ~ /^ERROR SUMMARY:/ && !summary) {
		flush(); done = 1; summary = 1
		# ERROR SUMMARY: N errors from M contexts (suppressed: S from T)
		split(line, w, /[ :()]+/)
		errs += w[3]; ctxs += w[6]; supp += w[9]; sctx += w[11]
		if (w[3] > 0) bad = bad " " file "(" w[3] ")"
	}
	if (done) next
	if (line == "") { flush(); next }
	if (line ~ /^Warning: / || line ~ /^(Memcheck, |Copyright |Using Valgrind|Command: |Parent PID: )/) next
	para = para "\n" line
	next
}
/^--[0-9]+-- used_suppression:/ { used[$4] += $3 }
END {
	endfile()
	printf "valgrind-check: %d processes checked, %d of them without an ERROR SUMMARY%s\n", procs, nosum, nosumfiles
	printf "valgrind-check: unsuppressed errors: %d (from %d contexts; %d reports in the logs)\n", errs, ctxs, shown
	printf "valgrind-check: suppressed errors: %d (from %d contexts)\n", supp, sctx
	for (name in used) printf "valgrind-check:   %7d  %s\n", used[name], name
	printf "valgrind-check: reports with a likeset frame: %d\n", lk
	if (bad != "") printf "valgrind-check: processes with errors (count):%s\n", bad
	if (lk > 0) printf "valgrind-check: the reports with a likeset frame:%s", "\n" lkreports
	print errs + shown + lk > countfile
}' "$WORK"/valgrind.*.log | tee "$WORK/summary.txt"
bad=$(cat "$WORK/scan.count" 2>/dev/null || echo 1)
say "total time $(elapsed)s"

# A backend killed by a signal (a crash under valgrind) or an auxiliary
# process exiting abnormally: the postmaster says so in its log
crashes=$(grep -E 'terminated by signal|exited with exit code ([2-9]|[1-9][0-9])' "$WORK/postmaster.log")

status=0
if [ "$bad" != 0 ]; then
	say "FAILED: unsuppressed valgrind errors; see the reports in $WORK/valgrind.*.log"
	status=1
fi
if [ -n "$crashes" ]; then
	echo "$crashes"
	say "FAILED: server processes exited abnormally (see $WORK/postmaster.log)"
	status=1
fi
if [ "$postmaster_status" -ne 0 ]; then
	say "FAILED: the postmaster exited with status $postmaster_status"
	status=1
fi
if [ "$regress_status" -ne 0 ]; then
	say "FAILED: pg_regress under valgrind (diffs in $WORK/regression.diffs)"
	status=1
fi
[ "$status" -ne 0 ] || say "passed: no unsuppressed errors"
exit $status
