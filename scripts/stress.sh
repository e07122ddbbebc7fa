#!/bin/sh
# scripts/stress.sh [RUNS]: `make test` and `make demo`, RUNS times each
# (default 5) on an idle machine, then RUNS times each with two busy-loop
# processes holding the cores, to show that neither depends on timing.
# Every run's output goes to a log in $STRESS_DIR (default: a new directory
# under /tmp); a table of results is printed at the end, and the exit status
# is 1 if any run failed.  Run it as the README's commands are run (root or
# a user with sudo); `make stress-test` calls it.
set -eu

runs=${1:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${STRESS_DIR:-$(mktemp -d /tmp/likeset-stress.XXXXXX)}
mkdir -p "$dir"
summary="$dir/summary.txt"
busy=""

stop_busy()
{
	for pid in $busy; do
		kill "$pid" 2>/dev/null || true
	done
	busy=""
}
trap stop_busy EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s; }

printf '%-6s %-5s %3s %6s %8s  %s\n' load job run result seconds log >"$summary"
failed=0
for load in idle busy; do
	if [ "$load" = busy ]; then
		cores=$(nproc)
		i=0
		while [ "$i" -lt "$cores" ]; do
			sh -c 'while :; do :; done' &
			busy="$busy $!"
			i=$((i + 1))
		done
		echo "== $cores busy loops running:$busy"
	fi
	n=1
	while [ "$n" -le "$runs" ]; do
		for job in test demo; do
			log="$dir/$load-$job-$n.log"
			echo "== $load: make $job, run $n of $runs (log: $log)"
			t0=$(now)
			if make -C "$top" "$job" >"$log" 2>&1; then
				result=pass
			else
				result=FAIL
				failed=$((failed + 1))
				tail -n 20 "$log"
			fi
			printf '%-6s %-5s %3s %6s %8s  %s\n' "$load" "$job" "$n" "$result" \
				"$(($(now) - t0))" "$log" >>"$summary"
		done
		n=$((n + 1))
	done
	stop_busy
done

echo
echo "== stress test: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $runs runs of each job per load"
cat "$summary"
if [ "$failed" -ne 0 ]; then
	echo "== $failed run(s) failed"
	exit 1
fi
echo "== every run passed"
