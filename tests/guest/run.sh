#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run guest tests and print KTAP.
#
# Usage (inside a guest): tests/guest/run.sh [PATTERN]
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
# Headers ("# fs:", "# lockdown:", "# dmesg:") are read from a test's
# leading comment block.
set -uo pipefail
shopt -s extglob	# PATTERN may be @(a|b)

DIR=$(cd "$(dirname "$0")" && pwd)
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

# headers FILE: FS_EACH, LOCKDOWN (twice, last or empty) and MAY_WARN
# ("may-warn" or "-") from FILE's leading comment block.  Bash builtins:
# a process costs 40-70 ms in a TCG guest.
headers() {
	local line
	FS_EACH='' LOCKDOWN='' MAY_WARN=-
	while IFS= read -r line; do
		[[ $line == '#'* ]] || break
		case $line in
		'# fs: each') FS_EACH=1 ;;
		'# lockdown: '*) LOCKDOWN=${line#'# lockdown: '} ;;
		'# dmesg: may-warn') MAY_WARN=may-warn ;;
		esac
	done < "$1"
}

# Each case: "FILE FS MODE MAYWARN" (FS "-" when none).
cases=() locked=() locked_last=()
for t in "$DIR"/t-*.sh; do
	name=${t##*/}
	name=${name%.sh}
	name=${name#t-}
	# shellcheck disable=SC2053
	[[ $name == $PATTERN ]] || continue
	headers "$t"
	fss=(-)
	[ -n "$FS_EACH" ] && fss=(ext4 xfs)
	for fs in "${fss[@]}"; do
		cases+=("$t $fs - $MAY_WARN")
	done
	# Once per test in lockdown mode (on ext4 for "# fs: each": what
	# differs by filesystem is covered by the first pass).
	case $LOCKDOWN in
	last) locked_last+=("$t ${fss[0]} lockdown $MAY_WARN") ;;
	twice) locked+=("$t ${fss[0]} lockdown $MAY_WARN") ;;
	esac
done
cases+=("${locked[@]}" "${locked_last[@]}")

echo "KTAP version 1"
echo "# kernel $(uname -r)"
echo "1..${#cases[@]}"
n=0
for c in "${cases[@]}"; do
	read -r t fs mode mw <<< "$c"
	n=$((n + 1))
	name=${t##*/}
	name=${name%.sh}
	name=${name#t-}
	[ "$fs" != - ] && name="$name [$fs]"
	[ "$mode" = lockdown ] && name="$name [lockdown]"
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
