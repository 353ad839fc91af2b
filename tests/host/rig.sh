#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rig.sh - the guest runner reports failure for what must never pass.
#
# Usage: tests/host/rig.sh KVER
# A guest whose command exits non-zero, whose kernel panics, or that hangs
# must make scripts/guest.sh fail; a passing command must pass.  Prints KTAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
K=$1
n=0
run() { scripts/guest.sh --kernel "$K" "$@" >/tmp/rig.$$ 2>&1; }
res() {
	n=$((n + 1))
	if [ "$1" = 1 ]; then echo "ok $n $2"; else
		echo "not ok $n $2"; tail -20 /tmp/rig.$$ | sed 's/^/# /'; fi
}
echo "KTAP version 1"
echo "1..4"
run -- 'echo rig-alive; exit 0'; rc=$?
res "$([ $rc -eq 0 ] && grep -q rig-alive /tmp/rig.$$ && echo 1)" "a passing command passes"
run -- 'exit 3'; rc=$?
res "$([ $rc -eq 3 ] && echo 1)" "exit status 3 is returned (got $rc)"
run -- 'echo c > /proc/sysrq-trigger; sleep 60'; rc=$?
res "$([ $rc -ne 0 ] && grep -q 'guest: FAIL' /tmp/rig.$$ && echo 1)" "a kernel panic fails (got $rc)"
run --timeout 45 -- 'sleep 1000'; rc=$?
res "$([ $rc -ne 0 ] && grep -q 'guest: FAIL.*timeout' /tmp/rig.$$ && echo 1)" "a hung guest fails on timeout (got $rc)"
rm -f /tmp/rig.$$
