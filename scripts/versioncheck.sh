#!/bin/sh
# scripts/versioncheck.sh EXTVERSION DATA...: check that every place naming
# likeset's version agrees with the one source, likeset.control's
# default_version (the Makefile passes it as EXTVERSION, and its DATA list).
#
# Fails, naming the disagreement, when:
#  - EXTVERSION is empty or differs from likeset.control's default_version;
#  - a file of DATA is missing, or a likeset--*.sql script in the tree is
#    not in DATA (it would not be installed);
#  - no chain of upgrade scripts in DATA leads from an install script to
#    EXTVERSION (so CREATE EXTENSION or ALTER EXTENSION UPDATE would fail);
#  - an upgrade script likeset--A--B.sql does not name B in its guard line;
#  - META.json's version or provides.likeset.version is not EXTVERSION in
#    PGXN's three-part form (1.2 is written 1.2.0 there: the PGXN meta spec
#    requires semantic versions), or its provides file is missing;
#  - CHANGELOG.md has no "## [EXTVERSION]" heading.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

ext=likeset
status=0
fail() { echo "versioncheck: $*" >&2; status=1; }

extversion=${1:-}
[ $# -gt 0 ] && shift
data="$*"

# The source: default_version in the control file
control_version=$(sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $ext.control)
if [ -z "$control_version" ]; then
	echo "versioncheck: no default_version in $ext.control" >&2
	exit 1
fi
if [ -z "$extversion" ]; then
	echo "versioncheck: usage: sh scripts/versioncheck.sh EXTVERSION DATA... (run it with make versioncheck)" >&2
	exit 1
fi
[ "$extversion" = "$control_version" ] ||
	fail "EXTVERSION is $extversion but $ext.control says default_version = '$control_version'"

# PGXN wants MAJOR.MINOR.PATCH; the extension's versions are MAJOR.MINOR
case "$extversion" in
	*[!0-9.]* | .* | *. | *..*) semver= ;;
	*.*.*.*) semver= ;;
	*.*.*) semver=$extversion ;;
	*.*) semver=$extversion.0 ;;
	*) semver= ;;
esac
[ -n "$semver" ] ||
	fail "default_version '$extversion' is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH"

# DATA: every file exists, and every script in the tree is listed
for f in $data; do
	[ -f "$f" ] || fail "DATA lists $f, which does not exist"
done
for f in $ext--*.sql; do
	[ -f "$f" ] || continue
	case " $data " in
		*" $f "*) ;;
		*) fail "$f is not in the Makefile's DATA list, so it would not be installed" ;;
	esac
done

# The chain: from each install script (likeset--V.sql in DATA), the upgrade
# scripts in DATA (likeset--A--B.sql) must lead to EXTVERSION
installs=""
upgrades=""
for f in $data; do
	v=${f#"$ext"--}
	v=${v%.sql}
	case "$f" in
		"$ext"--*--*.sql)
			from=${v%%--*}
			to=${v#*--}
			upgrades="$upgrades $from:$to"
			# the guard line names the version the script upgrades to
			if [ -f "$f" ] && ! grep -q "ALTER EXTENSION $ext UPDATE TO '$to'" "$f"; then
				fail "$f does not say \"ALTER EXTENSION $ext UPDATE TO '$to'\" in its guard line"
			fi
			;;
		"$ext"--*.sql)
			installs="$installs $v"
			;;
	esac
done
[ -n "$installs" ] || fail "DATA has no install script $ext--VERSION.sql"
for start in $installs; do
	reached=" $start "
	grown=1
	while [ $grown -eq 1 ]; do
		grown=0
		for step in $upgrades; do
			from=${step%%:*}
			to=${step#*:}
			case "$reached" in
				*" $from "*)
					case "$reached" in
						*" $to "*) ;;
						*) reached="$reached$to "; grown=1 ;;
					esac
					;;
			esac
		done
	done
	case "$reached" in
		*" $extversion "*) ;;
		*) fail "no chain of upgrade scripts in DATA leads from $ext--$start.sql to $extversion (reached:$reached)" ;;
	esac
done

# META.json: print the string value at a dotted path (top-level keys and
# nested objects only), e.g. provides.likeset.version
json_get() {
	awk -v want="$2" '
	function path(   p, i) {
		p = ""
		for (i = 1; i <= depth; i++)
			p = p (i > 1 ? "." : "") (kind[i] == "o" ? key[i] : idx[i])
		return p
	}
	{
		line = $0
		n = length(line)
		i = 1
		while (i <= n) {
			c = substr(line, i, 1)
			if (c == "{" || c == "[") {
				depth++
				kind[depth] = (c == "{") ? "o" : "a"
				expectkey[depth] = (c == "{")
				idx[depth] = 0
				key[depth] = ""
				i++
			} else if (c == "}" || c == "]") {
				depth--
				i++
			} else if (c == ":") {
				expectkey[depth] = 0
				i++
			} else if (c == ",") {
				if (kind[depth] == "o")
					expectkey[depth] = 1
				else
					idx[depth]++
				i++
			} else if (c == "\"") {
				s = ""
				i++
				while (i <= n) {
					c = substr(line, i, 1)
					if (c == "\\") {
						s = s substr(line, i, 2)
						i += 2
						continue
					}
					if (c == "\"")
						break
					s = s c
					i++
				}
				i++
				if (kind[depth] == "o" && expectkey[depth])
					key[depth] = s
				else if (path() == want && !found) {
					print s
					found = 1
				}
			} else
				i++
		}
	}' "$1"
}

if [ ! -f META.json ]; then
	fail "META.json is missing"
else
	if command -v python3 >/dev/null 2>&1; then
		python3 -m json.tool META.json >/dev/null 2>&1 || fail "META.json is not valid JSON"
	fi
	name=$(json_get META.json name)
	[ "$name" = "$ext" ] || fail "META.json: name is '$name', not '$ext'"
	v=$(json_get META.json version)
	[ "$v" = "$semver" ] ||
		fail "META.json: version is '$v', but default_version $extversion is '$semver' in PGXN's form"
	v=$(json_get META.json "provides.$ext.version")
	[ "$v" = "$semver" ] ||
		fail "META.json: provides.$ext.version is '$v', but default_version $extversion is '$semver' in PGXN's form"
	for field in file docfile; do
		f=$(json_get META.json "provides.$ext.$field")
		if [ -n "$f" ] && [ ! -f "$f" ]; then
			fail "META.json: provides.$ext.$field names $f, which does not exist"
		fi
	done
	[ -n "$(json_get META.json "provides.$ext.file")" ] || fail "META.json: provides.$ext.file is missing"
fi

# CHANGELOG.md: a section for the version
if [ ! -f CHANGELOG.md ]; then
	fail "CHANGELOG.md is missing"
elif ! grep -q "^## \[$(echo "$extversion" | sed 's/\./\\./g')\]" CHANGELOG.md; then
	fail "CHANGELOG.md has no \"## [$extversion]\" section"
fi

if [ $status -eq 0 ]; then
	echo "versioncheck: $ext $extversion (PGXN $semver): control, install and upgrade scripts, META.json and CHANGELOG.md agree"
fi
exit $status
