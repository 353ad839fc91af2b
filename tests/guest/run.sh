#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run guest tests and print KTAP.
#
# Usage (inside a guest): tests/guest/run.sh [PATTERN]
#        (anywhere) tests/guest/run.sh --list [PATTERN]: the cases that
#        would run (this shard's), one a line, cost first; nothing runs
#
# Runs every tests/guest/t-*.sh (matching PATTERN, a bash glob on the test
# name).  A test whose header has "# fs: each" runs once per DAX
# filesystem (ext4, xfs) with PL_FS set.  The plan line comes first, so a
# guest that dies mid-run leaves results missing, and the host counts
# those as failures.  Each test has PL_TEST_TIMEOUT seconds (default 300).
# A test during which the kernel logs a warning, oops, BUG, lockdep or
# hung-task report fails, unless its header says "# dmesg: may-warn" (for
# tests that show what a stock kernel does without pinledger).
#
# A test whose header has "# lockdown: twice" runs a second time (once,
# on ext4 if "# fs: each"), named "... [lockdown]", with PL_LOCKDOWN=1: debugfs unmounted and kernel
# lockdown raised to "integrity" once the modules are loaded (lib.sh
# pl_load).  Lockdown cannot be lowered in a boot and refuses unsigned
# modules, so these runs come after every other test of the guest, keep
# the modules loaded from one to the next, and "# lockdown: last" (a test
# that unloads the module) goes at the very end.
#
# PL_SHARD=I/N runs the I-th of N disjoint shares of the cases (make check
# runs each kernel's shares in guests side by side: much of a test is
# waiting, which leaves a core idle).  Cases are dealt largest first to
# the share with the least work so far, by "# cost: SECONDS" (a case's
# rough run time in a TCG guest; 5 when not given), so every guest
# computes the same split; each share keeps the order above, lockdown
# cases last.
#
# A test whose header has "# order: late" runs after every other test
# but the lockdown ones: t-dkms-module, whose module make check builds on
# the host beside the guests.
#
# Headers ("# fs:", "# lockdown:", "# dmesg:", "# cost:", "# order:") are
# read from a test's leading comment block.
set -uo pipefail
shopt -s extglob	# PATTERN may be @(a|b)

DIR=$(cd "$(dirname "$0")" && pwd)
LIST=
[ "${1:-}" = --list ] && { LIST=1; shift; }
PATTERN=${1:-*}
TIMEOUT=${PL_TEST_TIMEOUT:-300}

# trace_reset: every test starts with tracing on, the default clock, no
# pinledger event enabled and an empty buffer, whatever the last one did.
trace_reset() {
	local t=/sys/kernel/tracing
	[ -d $t/events ] || return 0
	echo 1 > $t/tracing_on
	echo local > $t/trace_clock
	[ -d /sys/module/pinledger ] && echo 0 > $t/events/pinledger/enable
	echo > $t/trace
}

# headers FILE: FS_EACH, LOCKDOWN (twice|last|""), MAY_WARN and COST from
# FILE's leading comment block (bash builtins: a process is dear in TCG).
headers() {
	local line
	FS_EACH='' LOCKDOWN='' MAY_WARN='' COST=5 LATE=
	while IFS= read -r line; do
		[[ $line == '#'* ]] || break
		case $line in
		'# fs: each') FS_EACH=1 ;;
		'# lockdown: '*) LOCKDOWN=${line#'# lockdown: '} ;;
		'# dmesg: may-warn') MAY_WARN=1 ;;
		'# cost: '*) COST=${line#'# cost: '} ;;
		'# order: late') LATE=1 ;;
		esac
	done < "$1"
	[[ $COST =~ ^[0-9]+$ ]] || COST=5
}

# case_name FILE FS MODE: NAME, as KTAP reports the case.
case_name() {
	NAME=${1##*/}
	NAME=${NAME%.sh}
	NAME=${NAME#t-}
	[ "$2" != - ] && NAME="$NAME [$2]"
	[ "$3" = lockdown ] && NAME="$NAME [lockdown]"
}

# Each case: "FILE FS MODE COST MAYWARN" (FS and MAYWARN "-" when none).
cases=() late=() locked=() locked_last=()
for t in "$DIR"/t-*.sh; do
	name=${t##*/}
	name=${name%.sh}
	name=${name#t-}
	# shellcheck disable=SC2053
	[[ $name == $PATTERN ]] || continue
	headers "$t"
	mw=${MAY_WARN:+may-warn}
	fss=(-)
	[ -n "$FS_EACH" ] && fss=(ext4 xfs)
	for fs in "${fss[@]}"; do
		if [ -n "$LATE" ]; then
			late+=("$t $fs - $COST ${mw:--}")
		else
			cases+=("$t $fs - $COST ${mw:--}")
		fi
	done
	# Once per test in lockdown mode (on ext4 for "# fs: each": what
	# differs by filesystem is covered by the first pass).
	case $LOCKDOWN in
	last) locked_last+=("$t ${fss[0]} lockdown $COST ${mw:--}") ;;
	twice) locked+=("$t ${fss[0]} lockdown $COST ${mw:--}") ;;
	esac
done
cases+=("${late[@]}" "${locked[@]}" "${locked_last[@]}")

if [ -n "${PL_SHARD:-}" ]; then
	if ! [[ $PL_SHARD =~ ^([0-9]+)/([0-9]+)$ ]] ||
	   [ "${BASH_REMATCH[1]}" -lt 1 ] ||
	   [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
		echo "run.sh: PL_SHARD=$PL_SHARD: want I/N, 1 <= I <= N" >&2
		exit 2
	fi
	si=${BASH_REMATCH[1]} sn=${BASH_REMATCH[2]}
	# Largest first (ties in case order) to the least-loaded share.
	# (No process substitution: the guest has no /dev/fd.)
	mapfile -t order <<< "$(for i in "${!cases[@]}"; do
		read -r _ _ _ c _ <<< "${cases[i]}"
		echo "$c $i"
	done | sort -k1,1nr -k2,2n)"
	load=() own=()
	for ((s = 1; s <= sn; s++)); do load[s]=0; done
	for o in "${order[@]}"; do
		read -r c i <<< "$o"
		best=1
		for ((s = 2; s <= sn; s++)); do
			[ "${load[s]}" -lt "${load[best]}" ] && best=$s
		done
		own[i]=$best
		load[best]=$((load[best] + c))
	done
	mine=()
	for i in "${!cases[@]}"; do
		[ "${own[i]}" = "$si" ] && mine+=("${cases[i]}")
	done
	echo "# shard $si/$sn: ${#mine[@]} of ${#cases[@]} cases (cost ${load[si]} s)"
	cases=("${mine[@]}")
fi

if [ -n "$LIST" ]; then
	for c in "${cases[@]}"; do
		read -r t fs mode cost _ <<< "$c"
		case_name "$t" "$fs" "$mode"
		echo "$cost $NAME"
	done
	exit 0
fi

echo "KTAP version 1"
echo "# kernel $(uname -r)"
echo "1..${#cases[@]}"
n=0
for c in "${cases[@]}"; do
	read -r t fs mode _ mw <<< "$c"
	n=$((n + 1))
	case_name "$t" "$fs" "$mode"
	name=$NAME
	out=$(mktemp)
	# Marks in dmesg for scripts/dmesg-report.sh (may-warn: the test shows
	# a stock kernel's own bug, module not loaded; its reports are expected).
	[ "$mw" = - ] && mw=''
	echo "pinledger-test: begin $name${mw:+ $mw}" > /dev/kmsg
	trace_reset
	start=${EPOCHREALTIME/./}
	dmesg_before=$(dmesg | wc -l)
	env=()
	[ "$fs" != - ] && env+=("PL_FS=$fs")
	[ "$mode" = lockdown ] && env+=("PL_LOCKDOWN=1")
	env "${env[@]}" timeout -k 10 "$TIMEOUT" bash "$t" >"$out" 2>&1 &
	tpid=$!
	wait $tpid
	rc=$?
	# What a failed test left running (its pin holders) goes with it:
	# timeout(1) made its own process group.
	kill -KILL -- -$tpid 2>/dev/null || true
	echo "pinledger-test: end $name" > /dev/kmsg
	us=$(( ${EPOCHREALTIME/./} - start ))
	printf -v secs '%d.%06d' $((us / 1000000)) $((us % 1000000))
	sed 's/^/# /' "$out"
	# Leave no module behind for the next test (but in lockdown mode,
	# where it could not be loaded again).
	if [ "$mode" != lockdown ] && [ -d /sys/module/pinledger ] &&
	   ! rmmod pinledger 2>/dev/null; then
		echo "# rmmod pinledger after the test failed"
		[ $rc -eq 0 ] && rc=1
	fi
	bad=$(dmesg | tail -n +"$((dmesg_before + 1))" | grep -E \
		'WARNING:|BUG:|Oops|general protection|possible circular|inconsistent lock|INFO: task .* blocked|rcu_.*stall|UBSAN|KASAN|refcount_t:' || true)
	if [ -n "$bad" ] && [ -z "$mw" ]; then
		echo "# kernel complained during the test:"
		echo "$bad" | head -20 | sed 's/^/#   /'
		[ $rc -eq 0 ] && rc=1
	fi
	case $rc in
	0) echo "ok $n $name # time=${secs}s" ;;
	4) echo "ok $n $name # SKIP $(tail -1 "$out")" ;;
	124) echo "not ok $n $name # TIMEOUT after ${TIMEOUT}s" ;;
	*) echo "not ok $n $name # exit $rc" ;;
	esac
	rm -f "$out"
done
