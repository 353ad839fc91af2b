#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh - "make stress": the long storm (tests/guest/storm.sh) with
# the module reloaded under it, in a guest of each stock kernel.
#
# Usage: scripts/stress.sh [--kernel KVER]...
# Environment: STRESS_SECS (default 600), STRESS_RELOADS (default 50).
# The storm lasts STRESS_SECS or until all reloads are done, whichever is
# later (a reload under load takes 5-10 s in these TCG guests).  The kernels
# run side by side (STRESS_SERIAL=1: one after the other).  Logs go
# to build/stress/<kver>.log; the guest's dmesg to build/stress/<kver>.dmesg.
# Exit status: non-zero if any storm reported a violation or the kernel
# complained (WARNING, BUG, lockdep, hung task, ...).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/side-by-side.sh
SECS=${STRESS_SECS:-600}
RELOADS=${STRESS_RELOADS:-50}
KERNELS=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) KERNELS="$KERNELS $2"; shift ;;
	*) echo "usage: $0 [--kernel KVER]..." >&2; exit 2 ;;
	esac
	shift
done
scripts/provision.sh >/dev/null || { echo "provisioning failed"; exit 1; }
. .cache/kernels.env
[ -n "$KERNELS" ] || KERNELS=$KCHECK
mkdir -p build/stress
for k in $KERNELS; do
	scripts/rel-make.sh "$k" -s module pinholder tools >/dev/null ||
		{ echo "$k: build failed"; exit 1; }
done

# storm KVER: one guest's storm, into build/stress/KVER.{log,dmesg,rc}.
storm() {
	local k=$1 t0 grc
	echo "== $k: storm ${SECS}s, $RELOADS reloads"
	rm -f "build/stress/$k.rc"
	t0=$(date +%s)
	GUEST_DMESG_OUT=build/stress/$k.dmesg scripts/guest.sh --kernel "$k" \
		--timeout $((SECS * 4 + RELOADS * 60 + 600)) -- \
		"tests/guest/storm.sh $SECS $RELOADS" > "build/stress/$k.log" 2>&1
	grc=$?
	echo "$grc $(( $(date +%s) - t0 ))" > "build/stress/$k.rc"
}

# shellcheck disable=SC2086 # one word per kernel
side_by_side "${STRESS_SERIAL:-}" storm $KERNELS

rc=0
for k in $KERNELS; do
	echo "== $k"
	read -r grc secs < "build/stress/$k.rc" || { grc=125; secs=0; }
	grep -E '^storm:|VIOLATION' "build/stress/$k.log"
	bad=$(grep -E 'WARNING:|BUG:|Oops|general protection|lockdep|possible circular|INFO: task .* blocked|RCU stall|UBSAN|KASAN|refcount_t:' \
		build/stress/$k.dmesg 2>/dev/null | head -5)
	if [ "$grc" -ne 0 ] || [ -n "$bad" ]; then
		echo "$k: FAILED (exit $grc after $secs s)"
		[ -n "$bad" ] && echo "$bad"
		[ "$grc" -ne 0 ] && tail -20 "build/stress/$k.log" | sed 's/^/  | /'
		rc=1
	else
		echo "$k: passed in $secs s, dmesg clean"
	fi
done
exit $rc
