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
set -uo pipefail

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

cases=()
for t in "$DIR"/t-*.sh; do
	name=$(basename "$t" .sh)
	name=${name#t-}
	# shellcheck disable=SC2053
	[[ $name == $PATTERN ]] || continue
	if grep -q '^# fs: each' "$t"; then
		for fs in ext4 xfs; do
			cases+=("$t $fs")
		done
	else
		cases+=("$t -")
	fi
done

echo "KTAP version 1"
echo "# kernel $(uname -r)"
echo "1..${#cases[@]}"
n=0
for c in "${cases[@]}"; do
	t=${c% *}
	fs=${c##* }
	n=$((n + 1))
	name=$(basename "$t" .sh)
	name=${name#t-}
	[ "$fs" != - ] && name="$name [$fs]"
	out=$(mktemp)
	# Marks in dmesg for scripts/dmesg-report.sh (may-warn: the test shows
	# a stock kernel's own bug, module not loaded; its reports are expected).
	mw=$(grep -q '^# dmesg: may-warn' "$t" && echo " may-warn" || true)
	echo "pinledger-test: begin $name$mw" > /dev/kmsg
	trace_reset
	start=$(date +%s.%N)
	dmesg_before=$(dmesg | wc -l)
	if [ "$fs" = - ]; then
		timeout -k 10 "$TIMEOUT" bash "$t" >"$out" 2>&1
	else
		PL_FS=$fs timeout -k 10 "$TIMEOUT" bash "$t" >"$out" 2>&1
	fi
	rc=$?
	echo "pinledger-test: end $name" > /dev/kmsg
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	sed 's/^/# /' "$out"
	# Leave no module behind for the next test.
	if [ -d /sys/module/pinledger ] && ! rmmod pinledger 2>/dev/null; then
		echo "# rmmod pinledger after the test failed"
		[ $rc -eq 0 ] && rc=1
	fi
	bad=$(dmesg | tail -n +"$((dmesg_before + 1))" | grep -E \
		'WARNING:|BUG:|Oops|general protection|possible circular|inconsistent lock|INFO: task .* blocked|rcu_.*stall|UBSAN|KASAN|refcount_t:' || true)
	if [ -n "$bad" ] && ! grep -q '^# dmesg: may-warn' "$t"; then
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
