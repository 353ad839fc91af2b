#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - provisioning names every host package the project uses.
#
# Collects the commands that the scripts, tests (guests run the host's
# binaries), Makefile, debian/rules and .ci call - the first word of each
# simple command, heuristically - plus what kbuild runs for the target
# kernels (pahole when a kernel builds BTF for modules), resolves each to
# the dpkg package that owns it on this machine and checks that package is
# either named in scripts/provision.sh (HOST_PKGS) or part of a minimal
# Debian 12 with git and make (Priority required or Essential, apt, git,
# make and what those depend on).  A command found outside any package
# (installed by hand) fails too.  Words that are no command here are
# ignored: the tests that run them fail on their own.  Prints KTAP.
#
# Usage: tests/host/deps.sh [KDIR...]   (headers trees whose .config to read)
set -uo pipefail
cd "$(dirname "$0")/../.."

# shellcheck disable=SC2207
NAMED=($(sed -n '/^HOST_PKGS=(/,/)/p' scripts/provision.sh | tr -d '()' |
	sed 's/HOST_PKGS=//' | tr ' \t' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$'))

# minimal_set: packages of a minimal Debian 12 (debootstrap minbase) plus
# git and make: Priority required or Essential, apt, and the closure of
# their Depends/Pre-Depends.
minimal_set() {
	{
		dpkg-query -W -f '${Package} ${Priority} ${Essential}\n' |
			awk '$2 == "required" || $3 == "yes" { print $1 }'
		echo apt; echo git; echo make
	} | sort -u > "$TMP/seed"
	# shellcheck disable=SC2046
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances $(cat "$TMP/seed") 2>/dev/null |
		sed -n 's/^ *\(Pre\)\{0,1\}Depends: <\{0,1\}\([^ >:]*\).*/\2/p; /^[a-z0-9]/p' |
		sed 's/:.*//' | cat - "$TMP/seed" | sort -u
}

# commands_in FILE: candidate command words of a shell script or recipe.
commands_in() {
	# Array assignments (TOOLS=(flex bison)) list data, not commands.
	sed -E -e 's/#.*$//' -e 's/[A-Za-z_][A-Za-z0-9_]*=\([^)]*\)//g' "$1" |
	tr ';|&(){}`' '\n\n\n\n\n\n\n' |
	sed -E -e 's/^[[:space:]]*//' \
	       -e 's/^(\$|if|then|else|elif|do|while|until|!|time|exec|command|nice( -n [0-9]+)?|env( -i)?|timeout( --foreground)?( -k [0-9]+)?( [0-9]+)?|xargs|[A-Za-z_][A-Za-z0-9_]*=[^ ]*)[[:space:]]+//g' \
	       -e 's/^(\$|if|then|else|elif|do|while|until|!|time|exec|command|env|[A-Za-z_][A-Za-z0-9_]*=[^ ]*)[[:space:]]+//g' \
	       -e 's/^@?-?//' |
	awk '{ print $1 }' | grep -E '^[a-z][a-z0-9._+-]*[a-z0-9]$' || true
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

FILES=$(git ls-files -co --exclude-standard -- 'scripts/*.sh' 'tests/*.sh' \
	.ci/run Makefile debian/rules 'tests/**/*.sh')
# Functions and builtins are not commands of a package.
grep -hoE '^[[:space:]]*(function[[:space:]]+)?[a-z_][a-z0-9_]*[[:space:]]*\(\)' $FILES |
	sed -E 's/function//; s/[ \t()]//g' | sort -u > "$TMP/functions"
{ compgen -b; compgen -k; } | sort -u > "$TMP/builtins"

for f in $FILES; do commands_in "$f"; done | sort -u > "$TMP/words"
# What kbuild runs for a module build of the target kernels.
{
	echo gcc; echo make; echo ld; echo perl; echo bc
	for k in "$@"; do
		grep -qx 'CONFIG_DEBUG_INFO_BTF_MODULES=y' "$k/.config" 2>/dev/null && echo pahole
	done
} >> "$TMP/words"

minimal_set > "$TMP/minimal"
printf '%s\n' "${NAMED[@]}" | sort -u > "$TMP/named"

echo "KTAP version 1"
echo "1..2"
# Resolve the words to paths, then all paths to packages in one dpkg -S
# (usrmerge: dpkg knows /bin/cat for /usr/bin/cat; diversions are skipped).
: > "$TMP/paths"
for w in $(sort -u "$TMP/words"); do
	grep -qxF "$w" "$TMP/functions" "$TMP/builtins" && continue
	p=$(type -P "$w") || continue
	echo "$w $p" >> "$TMP/paths"
done
awk '{ print $2; r = $2; sub("^/usr", "", r); print r }' "$TMP/paths" | sort -u |
	xargs dpkg -S 2>/dev/null | grep -v '^diversion' |
	sed -E 's/^([^:, ]+)[^:]*: (.*)$/\2 \1/' > "$TMP/owners"
# Also the target of an alternative (/usr/bin/awk -> mawk).
while read -r w p; do
	echo "$w $p $(readlink -f "$p")"
done < "$TMP/paths" > "$TMP/paths3"
awk '{ print $3; r = $3; sub("^/usr", "", r); print r }' "$TMP/paths3" | sort -u |
	xargs dpkg -S 2>/dev/null | grep -v '^diversion' |
	sed -E 's/^([^:, ]+)[^:]*: (.*)$/\2 \1/' >> "$TMP/owners"
awk -v named="$TMP/named" -v minimal="$TMP/minimal" -v owners="$TMP/owners" '
	BEGIN {
		while ((getline l < named) > 0) N[l] = 1
		while ((getline l < minimal) > 0) M[l] = 1
		while ((getline l < owners) > 0) { split(l, f, " "); O[f[1]] = f[2] }
	}
	# Found only as a fallback when missing: guest-init powers off
	# through sysrq when there is no poweroff.
	$1 == "poweroff" { next }
	{
		pkg = ""
		for (i = 2; i <= 3 && pkg == ""; i++) {
			a = $i; b = a; sub("^/usr", "", b)
			pkg = (a in O) ? O[a] : ((b in O) ? O[b] : "")
		}
		if (pkg == "")
			print "# " $1 ": " $2 " belongs to no package (installed by hand?)"
		else if (pkg in N)
			print "#   " $1 ": " pkg " (provisioned)"
		else if (pkg in M)
			print "#   " $1 ": " pkg " (minimal system)"
		else
			print "# " $1 ": " pkg " is neither provisioned nor in a minimal Debian 12"
	}' "$TMP/paths3" > "$TMP/report"
n_cmds=$(wc -l < "$TMP/report")
n_missing=$(grep -vc '^#   ' "$TMP/report")
if [ $n_missing = 0 ] && [ $n_cmds -gt 20 ]; then
	echo "ok 1 every command used ($n_cmds) comes from a provisioned or minimal-system package"
else
	echo "not ok 1 every command used ($n_cmds) comes from a provisioned or minimal-system package"
fi
grep -v '^#   ' "$TMP/report"
grep '^#   ' "$TMP/report"

# Every named package exists in the archive (a typo would only show on a
# fresh machine).
apt-cache policy "${NAMED[@]}" 2>/dev/null |
	awk '/^[a-z0-9]/ { p = $1; sub(":$", "", p) }
	     /Candidate:/ && $2 != "(none)" { print p }' | sort -u > "$TMP/known"
bad=$(comm -23 "$TMP/named" "$TMP/known" | tr '\n' ' ')
if [ -z "$bad" ] && [ ${#NAMED[@]} -gt 10 ]; then
	echo "ok 2 the ${#NAMED[@]} provisioned packages exist in the archive"
else
	echo "not ok 2 the ${#NAMED[@]} provisioned packages exist in the archive"
	echo "# unknown:$bad"
fi
