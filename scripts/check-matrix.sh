#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-matrix.sh - "make check-matrix": every Debian kernel a user runs.
#
# Provisions the matrix (scripts/provision.sh --matrix), then, for every
# release of scripts/releases.conf, building in that release's root and
# booting with it as the guest's userland (scripts/rel-make.sh):
#   - each flavour (generic, cloud, rt) x kernel series of the release
#     (Debian 12: 6.1, 6.12+deb12; Debian 13: 6.12+deb13), newest
#     release: builds pinledger.ko and the test pin holder (warning-free)
#     and runs the smoke suite in one guest of that kernel; the cloud
#     kernels (no 9p: the host root over virtio-fs) on virtio-pmem, what
#     cloud VMs have, the others on memmap pmem as in make check;
#   - every other release of the three flavours whose headers the archive
#     serves: builds pinledger.ko (warning-free), no boot.
# Guests run one after the other (one TCG thread).  One line per kernel,
# then "N passed, N failed" (each build counts as one test, each KTAP
# result of a guest as one); exit status non-zero on any failure.  Full
# logs in build/check-matrix/ ($PL_CHECK_LOGS if set).
#
# Usage: scripts/check-matrix.sh [--tests PATTERN] [--no-boot]
#   --tests    guest tests to run (a tests/guest/run.sh pattern; default
#              the smoke suite below)
#   --no-boot  builds only, every kernel
# Environment: PL_GUEST_TIMEOUT (s per guest, default 2400),
# PL_TEST_TIMEOUT (s per test, default 600: the short storm took 328 s
# on cloud 6.12 beside three other guests), PL_MATRIX_PMEM (backend for
# every booted kernel instead of the per-flavour default).
set -uo pipefail
shopt -s extglob

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
# shellcheck source=scripts/releases.sh
. scripts/releases.sh
LOGS=${PL_CHECK_LOGS:-$ROOT/build/check-matrix}
# The smoke suite: load/unload, both holes (truncate and eviction of a
# pinned DAX file) closed under wait/revoke/block on ext4 and xfs, the
# ledger exact against vmstat, the short storm, one tool command (who,
# also under lockdown).
SMOKE='@(load-unload|guard-policies|guard-evict|ledger-vmstat|storm|tool-who)'
PATTERN=$SMOKE
NO_BOOT=
while [ $# -gt 0 ]; do
	case $1 in
	--tests) PATTERN=$2; shift ;;
	--no-boot) NO_BOOT=1 ;;
	*) echo "usage: $0 [--tests PATTERN] [--no-boot]" >&2; exit 2 ;;
	esac
	shift
done

T0=$(date +%s)
rm -rf "$LOGS"
mkdir -p "$LOGS"
PASS=0 FAIL=0 SKIP=0
LINES=()

scripts/provision.sh --matrix > "$LOGS/provision.log" 2>&1 ||
	{ tail -20 "$LOGS/provision.log"; echo "provisioning failed"; echo "0 passed, 1 failed"; exit 1; }
# shellcheck source=/dev/null
. "$CACHE/kernels.env"
# shellcheck source=/dev/null
. "$CACHE/matrix.env"

# build LOG MAKEARGS...: true if make succeeds without a warning.
build() {
	local log=$1
	shift
	nice -n 10 scripts/rel-make.sh "$@" -s > "$log" 2>&1 && ! grep -qE 'warning:|error:' "$log"
}

# row FLAVOUR KVER PMEM BUILD SUITE SECS: one summary line.
row() {
	LINES+=("$(printf '%-8s %-28s %-7s %-6s %-34s %5s s' "$@")")
}

# count_ktap LOG: add a guest's KTAP results to the totals (results
# missing from the plan count as failed); sets SUITE.
count_ktap() {
	local log=$1 plan pass fail skip missing
	plan=$(grep -m1 -E '^1\.\.[0-9]+$' "$log" | cut -d. -f3)
	pass=$(grep -E '^ok [0-9]+ ' "$log" | grep -vc '# SKIP')
	skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log")
	fail=$(grep -cE '^not ok [0-9]+ ' "$log")
	missing=$(( ${plan:-1} - pass - skip - fail ))
	[ $missing -lt 0 ] && missing=0
	fail=$((fail + missing))
	PASS=$((PASS + pass)) FAIL=$((FAIL + fail)) SKIP=$((SKIP + skip))
	SUITE="$pass passed, $fail failed, $skip skipped"
	[ $missing -eq 0 ] || SUITE+=" ($missing never ran)"
}

# boot_kernel FLAVOUR KVER PMEM: build, then the suite in a guest.
boot_kernel() {
	local fl=$1 k=$2 pmem=${PL_MATRIX_PMEM:-$3} t rc log=$LOGS/guest-$2.log
	t=$(date +%s)
	if ! build "$LOGS/build-$k.log" "$k" module ||
	   ! build "$LOGS/build-$k.log.pinholder" "$k" pinholder; then
		FAIL=$((FAIL + 1))
		row "$fl" "$k" "$pmem" FAIL "not booted" "$(( $(date +%s) - t ))"
		return
	fi
	PASS=$((PASS + 1))
	if [ -n "$NO_BOOT" ]; then
		row "$fl" "$k" - built "not booted (--no-boot)" "$(( $(date +%s) - t ))"
		return
	fi
	GUEST_DMESG_OUT="$LOGS/guest-$k.dmesg" \
	nice -n 10 scripts/guest.sh --kernel "$k" --pmem "$pmem" \
		--timeout "${PL_GUEST_TIMEOUT:-2400}" -- \
		env PL_TEST_TIMEOUT="${PL_TEST_TIMEOUT:-600}" \
		tests/guest/run.sh "$PATTERN" > "$log" 2>&1
	rc=$?
	count_ktap "$log"
	[ $rc -eq 0 ] || SUITE+=" (guest exit $rc)"
	row "$fl" "$k" "$pmem" built "$SUITE" "$(( $(date +%s) - t ))"
	grep -E '^(not )?ok [0-9]+ ' "$log" | sed "s/^/  $k: /" >> "$LOGS/results.txt"
}

echo "== check-matrix (logs in ${LOGS#"$ROOT"/}/)"
for r in $(rel_codenames); do
	if ! build "$LOGS/build-tools-$r.log" "$r" tools; then
		echo "test tools do not build in the $r root:"; tail -20 "$LOGS/build-tools-$r.log"
		echo "0 passed, 1 failed"; exit 1
	fi
done

# Booted: flavour:kernel:release, each on its flavour's pmem backend
# (cloud: virtio, what cloud VMs have).
for b in $MATRIX_BOOT; do
	fl=${b%%:*} k=${b#*:}
	k=${k%%:*}
	pmem=memmap
	[ "$fl" = cloud ] && pmem=virtio
	boot_kernel "$fl" "$k" "$pmem"
	printf '%s\n' "${LINES[-1]}"
done

for k in $BUILD_ONLY; do
	k=${k%%:*}
	t=$(date +%s)
	case $k in *-cloud-amd64) fl=cloud ;; *-rt-amd64) fl=rt ;; *) fl=generic ;; esac
	if build "$LOGS/build-$k.log" "$k" module; then
		PASS=$((PASS + 1))
		row "$fl" "$k" - built "build only" "$(( $(date +%s) - t ))"
	else
		FAIL=$((FAIL + 1))
		row "$fl" "$k" - FAIL "build only" "$(( $(date +%s) - t ))"
	fi
	printf '%s\n' "${LINES[-1]}"
done

echo "== summary ($(( $(date +%s) - T0 )) s)"
printf '%-8s %-28s %-7s %-6s %-34s %7s\n' flavour kernel pmem build suite time
printf '%s\n' "${LINES[@]}"
if [ "$SKIP" -gt 0 ]; then
	echo "$PASS passed, $FAIL failed, $SKIP skipped"
else
	echo "$PASS passed, $FAIL failed"
fi
[ "$FAIL" -eq 0 ]
