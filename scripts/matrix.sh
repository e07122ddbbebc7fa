#!/bin/sh
# scripts/matrix.sh [RELEASE...]: `make test`, then `make demo`, from a
# clean clone of the committed tree in a fresh minimal chroot of each Debian
# release (default: bookworm trixie sid, that is PostgreSQL 15, 17 and 18),
# one after the other, then a table: release, PostgreSQL, test, demo,
# minutes, log.  Exit status 1 when anything fails.  Needs root (debootstrap, chroot, bind
# mounts); `make matrix` calls it.
#
# Each release's base system (debootstrap --variant=minbase, plus git and
# make) is built once and kept as a tarball in $LIKESET_MATRIX_CACHE
# (default /var/cache/likeset-matrix); every run unpacks a fresh copy under
# $LIKESET_MATRIX_DIR (default /var/tmp/likeset-matrix), so nothing from
# one run leaks into the next.  Packages come from the mirror this machine
# uses (its apt sources), else deb.debian.org.  A mirror that is a
# snapshot serves sid's Release file past its Valid-Until date, so the
# chroots tell apt not to check it (a real sid machine needs no such
# setting).  Logs: $LIKESET_MATRIX_DIR/logs/RELEASE.log.
set -eu

releases=${*:-bookworm trixie sid}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${LIKESET_MATRIX_CACHE:-/var/cache/likeset-matrix}
base=${LIKESET_MATRIX_DIR:-/var/tmp/likeset-matrix}
logs=$base/logs

if [ "$(id -u)" -ne 0 ]; then
	echo "scripts/matrix.sh: run me as root (debootstrap and chroot need it)" >&2
	exit 2
fi
if ! git -C "$top" rev-parse --verify -q HEAD >/dev/null; then
	echo "scripts/matrix.sh: $top is not a git checkout with a commit" >&2
	exit 2
fi

# The mirror: the first Debian archive URI of this machine's apt sources
mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\)\/*[[:space:]]*$/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
if [ -z "$mirror" ]; then
	mirror=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(http[^[:space:]]*\/debian\)\/*[[:space:]].*/\2/p' \
		/etc/apt/sources.list 2>/dev/null | head -n 1)
fi
mirror=${mirror:-http://deb.debian.org/debian}

if ! command -v debootstrap >/dev/null 2>&1; then
	echo "== installing debootstrap"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

mkdir -p "$cache" "$base" "$logs"
mounted=""

unmount_all()
{
	for m in $mounted; do
		umount -l "$m" 2>/dev/null || true
	done
	mounted=""
}

# stop what a job left running inside a chroot (servers of a failed test)
kill_inside()
{
	for _p in /proc/[0-9]*; do
		if [ "$(readlink "$_p/root" 2>/dev/null)" = "$1" ]; then
			kill -9 "${_p#/proc/}" 2>/dev/null || true
		fi
	done
}

# remove a chroot, never while anything is still mounted inside it (its
# /dev is the host's)
remove_root()
{
	if grep -q " $1/" /proc/mounts; then
		echo "scripts/matrix.sh: something is still mounted under $1; left in place" >&2
		return 0
	fi
	rm -rf "$1"
}
root=""
trap unmount_all EXIT
# stopped: what runs in the chroot goes too, so that the mounts can
trap '[ -n "$root" ] && kill_inside "$root"; exit 130' INT
trap '[ -n "$root" ] && kill_inside "$root"; exit 143' TERM

# base_tarball RELEASE: the cached base system of RELEASE, built if missing
base_tarball()
{
	_tar=$cache/$1.tar.gz
	if [ ! -s "$_tar" ]; then
		_tmp=$base/debootstrap-$1
		rm -rf "$_tmp"
		echo "== $1: debootstrap from $mirror (cached afterwards in $_tar)" >&2
		if ! debootstrap --variant=minbase --include=git,make,ca-certificates \
			"$1" "$_tmp" "$mirror" >"$logs/debootstrap-$1.log" 2>&1; then
			tail -n 20 "$logs/debootstrap-$1.log" >&2
			echo "scripts/matrix.sh: debootstrap of $1 failed" >&2
			return 1
		fi
		echo 'Acquire::Check-Valid-Until "false";' >"$_tmp/etc/apt/apt.conf.d/99likeset-snapshot-mirror"
		tar -C "$_tmp" -czf "$_tar.part" . && mv "$_tar.part" "$_tar"
		rm -rf "$_tmp"
	fi
	echo "$_tar"
}

summary=$logs/summary.txt
printf '%-9s %-12s %-5s %-5s %7s  %s\n' release PostgreSQL test demo minutes log >"$summary"
failed=0
for rel in $releases; do
	log=$logs/$rel.log
	root=$base/$rel
	t0=$(date +%s)
	result=FAIL
	demo=-
	pg=?
	if tar=$(base_tarball "$rel"); then
		remove_root "$root"
		mkdir -p "$root"
		tar -C "$root" -xzf "$tar"
		cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		for m in proc sys dev dev/pts; do
			mount --bind "/$m" "$root/$m"
			mounted="$root/$m $mounted"
		done
		# a clean clone of what is committed, as CI and a new user get it
		git clone -q "$top" "$root/root/likeset"
		echo "== $rel: make test in a fresh chroot (log: $log)"
		if chroot "$root" /bin/sh -c 'cd /root/likeset && make test' >"$log" 2>&1; then
			result=pass
		else
			tail -n 30 "$log"
			failed=$((failed + 1))
			# the servers' logs of the failed run (scripts/run.sh keeps them
			# in the chroot's /tmp), before the chroot is removed
			for kept in "$root"/tmp/likeset-failed.*; do
				[ -d "$kept" ] || continue
				rm -rf "$logs/$rel-failed"
				cp -a "$kept" "$logs/$rel-failed"
				echo "== $rel: logs of the failed run in $logs/$rel-failed"
			done
		fi
		echo "== $rel: make demo (log: $logs/$rel-demo.log)"
		if chroot "$root" /bin/sh -c 'cd /root/likeset && make demo' >"$logs/$rel-demo.log" 2>&1; then
			demo=pass
		else
			demo=FAIL
			tail -n 30 "$logs/$rel-demo.log"
			failed=$((failed + 1))
		fi
		pg=$(chroot "$root" /bin/sh -c 'ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1')
		[ -n "$pg" ] && pg=$(chroot "$root" "/usr/lib/postgresql/$pg/bin/postgres" --version 2>/dev/null |
			sed -n 's/.*(PostgreSQL) \([0-9.]*\).*/\1/p')
		kill_inside "$root"
		unmount_all
		remove_root "$root"
	else
		failed=$((failed + 1))
	fi
	printf '%-9s %-12s %-5s %-5s %7s  %s\n' "$rel" "${pg:-?}" "$result" "$demo" \
		"$(awk -v s="$(($(date +%s) - t0))" 'BEGIN { printf "%.1f", s / 60 }')" "$log" >>"$summary"
done

echo
echo "== matrix: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$top" rev-parse --short HEAD), mirror $mirror"
cat "$summary"
[ "$failed" -eq 0 ] || {
	echo "== $failed release(s) failed"
	exit 1
}
echo "== every release passed"
