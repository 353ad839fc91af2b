#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - "make check": provision, build, run every test, summarise.
#
# Usage: scripts/check.sh [--host-only] [--no-rig] [--kernel KVER] [--tests PATTERN]
#
# Kernels: the default kernel of each release in scripts/releases.conf
# (provisioning resolves the newest; $CACHE/kernels.env), or --kernel.
# Each is built in its release's root with that release's compiler
# (scripts/rel-make.sh) and booted with that root as the guest's userland.
# Suites, each printing KTAP:
#   host      the test tools of each release and the builds for each
#             kernel (warning-free), IBT check (and that it catches an
#             indirect call), style checks, provisioning completeness
#             (tests/host/deps.sh), DKMS builds in each release's root,
#             the rig's own failure detection (panic, hang)
#   <kver>    tests/guest/run.sh inside a guest of each kernel (the
#             kernels side by side, one TCG thread each; PL_CHECK_SERIAL=1
#             runs them one after the other)
# Order: the builds the guests need come first; then the guests start,
# and the rest of the host suite and the rig self-test (mostly a guest
# waiting out a timeout) run beside them instead of before them.
# Results missing from a suite's plan (a guest that died) count as failed;
# a skip is reported but never counted as passed.  The last line is
# "N passed, N failed" (", N skipped" when any); exit status is non-zero
# on any failure.  Full logs go to build/check/ ($PL_CHECK_LOGS if set).
# Environment: PL_GUEST_TIMEOUT (s per guest, default 3000: a hang
# detector for the whole suite, not a time budget; tests have their own) and
# PL_TEST_TIMEOUT (s per test, passed into the guest; run.sh default 300).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/side-by-side.sh
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
LOGS=${PL_CHECK_LOGS:-$ROOT/build/check}
HOST_ONLY=
NO_RIG=
KERNELS=
PATTERN='*'
while [ $# -gt 0 ]; do
	case $1 in
	--host-only) HOST_ONLY=1 ;;
	--no-rig) NO_RIG=1 ;;
	--kernel) KERNELS="$KERNELS $2"; shift ;;
	--tests) PATTERN=$2; shift ;;
	*) echo "usage: $0 [--host-only] [--no-rig] [--kernel KVER] [--tests PATTERN]" >&2; exit 2 ;;
	esac
	shift
done

T0=$(date +%s)
rm -rf "$LOGS"
mkdir -p "$LOGS"
scripts/provision.sh 2>&1 | tee "$LOGS/provision.log" | sed 's/^/  /'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "provisioning failed"; echo "0 passed, 1 failed"; exit 1; }
# shellcheck source=/dev/null
. "$CACHE/kernels.env"
[ -n "$KERNELS" ] || KERNELS=$KCHECK
# The releases of those kernels ("" for one of no release: built here).
# shellcheck source=scripts/releases.sh
. scripts/releases.sh
# rel_or_native KVER: its release, or "native" (built here).
rel_or_native() {
	local r
	r=$(rel_of_kernel "$1")
	echo "${r:-native}"
}
RELS=$(for k in $KERNELS; do rel_or_native "$k"; done | awk '!s[$0]++')

TOTAL_PASS=0 TOTAL_FAIL=0 TOTAL_SKIP=0
SUMMARY=()

# tally SUITE LOG: count a suite's KTAP results (top-level lines only).
tally() {
	local suite=$1 log=$2 plan pass fail skip seen missing
	plan=$(grep -m1 -E '^1\.\.[0-9]+$' "$log" | cut -d. -f3)
	pass=$(grep -E '^ok [0-9]+ ' "$log" | grep -vc '# SKIP')
	skip=$(grep -E '^ok [0-9]+ .*# SKIP' "$log" | wc -l)
	fail=$(grep -cE '^not ok [0-9]+ ' "$log")
	seen=$((pass + skip + fail))
	missing=$(( ${plan:-1} - seen ))
	[ $missing -lt 0 ] && missing=0
	fail=$((fail + missing))
	TOTAL_PASS=$((TOTAL_PASS + pass))
	TOTAL_FAIL=$((TOTAL_FAIL + fail))
	TOTAL_SKIP=$((TOTAL_SKIP + skip))
	SUMMARY+=("$(printf '%-24s %3d passed, %d failed, %d skipped%s' "$suite:" \
		$pass $fail $skip "$([ $missing -gt 0 ] && echo " ($missing never ran)")")")
}

# ---- host suite ----------------------------------------------------------
# build_ok N NAME KVER|CODENAME MAKEARGS...: "ok N NAME" if make, in
# that kernel's or release's root, succeeds without warnings.
build_ok() {
	local n=$1 name=$2 out
	shift 2
	if out=$(scripts/rel-make.sh "$@" -s 2>&1) && ! echo "$out" | grep -qE 'warning:|error:'; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "$out" | tail -20 | sed 's/^/# /'
	fi
}

# host_builds: the first part of the host suite, what the guests need.
host_builds() {
	local n=0 k nk nr r ks
	nk=$(echo $KERNELS | wc -w)
	nr=$(echo $RELS | wc -w)
	echo "KTAP version 1"
	echo "1..$((nr + 4 * nk + 4))"
	for r in $RELS; do
		n=$((n + 1))
		if [ "$r" = native ]; then
			build_ok $n "build test tools here without warnings" native tools
		else
			build_ok $n "build test tools in the $r root without warnings" "$r" tools
		fi
	done
	# One kernel's builds per core (kbuild of one small module is mostly
	# serial); results printed in order.
	for k in $KERNELS; do
		{
			build_ok $((n + 1)) "build $k without warnings" "$k" module
			build_ok $((n + 2)) "build test pin holder $k without warnings" "$k" pinholder
			build_ok $((n + 3)) "build bench probe floor $k without warnings" "$k" floor
		} > "$LOGS/build-$k.log" 2>&1 &
		n=$((n + 3))
	done
	wait
	for k in $KERNELS; do
		cat "$LOGS/build-$k.log"
		rm -f "$LOGS/build-$k.log"
	done
	# The DKMS build's module is what the guest test dkms-module loads:
	# DKMS of each release builds for that release's kernels.
	n=$((n + 1))
	local out='' rc=0
	for r in $RELS; do
		ks=$(for k in $KERNELS; do [ "$(rel_or_native "$k")" = "$r" ] && echo "$k"; done)
		# shellcheck disable=SC2086 # one word per kernel
		out+=$(scripts/rel-make.sh --run "$r" "tests/host/dkms.sh $(echo $ks)" 2>&1)$'\n' || rc=1
	done
	if [ $rc -eq 0 ] && ! echo "$out" | grep -q '^not ok'; then
		echo "ok $n dkms add and build for $(echo $KERNELS)"
	else
		echo "not ok $n dkms add and build for $(echo $KERNELS)"
	fi
	echo "$out" | sed 's/^/# /'
}

# host_checks: the rest of the host suite (numbered after host_builds).
host_checks() {
	local n k out kd nk nr
	nk=$(echo $KERNELS | wc -w)
	nr=$(echo $RELS | wc -w)
	n=$((nr + 1 + 3 * nk))
	for k in $KERNELS; do
		n=$((n + 1))
		if out=$(scripts/check-ibt.sh "build/$k/pinledger.ko" 2>&1); then
			echo "ok $n no indirect calls in pinledger.ko for $k"
		else
			echo "not ok $n no indirect calls in pinledger.ko for $k"
			echo "$out" | sed 's/^/# /'
		fi
	done
	n=$((n + 1))
	if out=$(scripts/rel-make.sh --run "$KNEWEST" "tests/host/ibt-negative.sh $CACHE/$KNEWEST/build" 2>&1); then
		echo "ok $n check-ibt rejects a module with an indirect call"
	else
		echo "not ok $n check-ibt rejects a module with an indirect call"
		echo "$out" | sed 's/^/# /'
	fi
	n=$((n + 1))
	kd=$(ls "$CACHE/$KNEWEST"/root/usr/lib/linux-kbuild-*/scripts/kernel-doc | head -1)
	out=$(tests/host/style.sh "$kd" 2>&1)
	if ! echo "$out" | grep -q '^not ok'; then
		echo "ok $n style"
	else
		echo "not ok $n style"
	fi
	echo "$out" | sed 's/^/# /'
	n=$((n + 1))
	# shellcheck disable=SC2046 # one headers tree per kernel
	out=$(tests/host/deps.sh $(for k in $KERNELS; do echo "$CACHE/$k/build"; done) 2>&1)
	if ! echo "$out" | grep -q '^not ok'; then
		echo "ok $n provisioning names every package the project uses"
	else
		echo "not ok $n provisioning names every package the project uses"
	fi
	echo "$out" | grep -v '^#   ' | sed 's/^/# /'
}

# guest_suite KVER: the guest suite of one kernel, into its log; prints
# its run time.  Each guest is one TCG thread: the kernels run side by
# side, one per core (PL_CHECK_SERIAL=1: one after the other).
guest_suite() {
	local k=$1 t rc
	t=$(date +%s)
	GUEST_DMESG_OUT="$LOGS/guest-$k.dmesg" \
	scripts/guest.sh --kernel "$k" --timeout "${PL_GUEST_TIMEOUT:-3000}" -- \
		env PL_TEST_TIMEOUT="${PL_TEST_TIMEOUT:-300}" \
		tests/guest/run.sh "$PATTERN" > "$LOGS/guest-$k.log" 2>&1
	rc=$?
	echo "$rc $(( $(date +%s) - t ))" > "$LOGS/guest-$k.rc"
}

echo "== host checks"
host_builds 2>&1 | tee "$LOGS/host.log" | grep -E '^(not )?ok '

if [ -z "$HOST_ONLY" ]; then
	# shellcheck disable=SC2086 # one word per kernel
	side_by_side "${PL_CHECK_SERIAL:-}" guest_suite $KERNELS &
	guests=$!
fi
host_checks 2>&1 | tee -a "$LOGS/host.log" | grep -E '^(not )?ok '
tally host "$LOGS/host.log"

if [ -z "$HOST_ONLY" ] && [ -z "$NO_RIG" ]; then
	echo "== rig self-test"
	tests/host/rig.sh "$KNEWEST" 2>&1 | tee "$LOGS/rig.log" | grep -E '^(not )?ok '
	tally rig "$LOGS/rig.log"
fi


# results_with_causes LOG: the KTAP result lines of LOG; under each
# failed test, the last 30 lines of its own diagnostics, so that a CI
# log that keeps only stdout still says why a test failed.
results_with_causes() {
	awk '/^# / { buf[n++ % 30] = $0; next }
	     /^ok [0-9]+ / { print; n = 0; next }
	     /^not ok [0-9]+ / {
		print
		for (i = (n > 30 ? n - 30 : 0); i < n; i++)
			print "  | " buf[i % 30]
		n = 0
	     }' "$1"
}

if [ -z "$HOST_ONLY" ]; then
	wait "$guests"
	for k in $KERNELS; do
		echo "== guest $k"
		read -r rc secs < "$LOGS/guest-$k.rc" || { rc=125; secs=0; }
		results_with_causes "$LOGS/guest-$k.log"
		if [ "$rc" -ne 0 ]; then
			echo "guest $k: exit $rc; console tail:"
			tail -40 "$LOGS/guest-$k.log" | sed 's/^/  | /'
		fi
		tally "$k" "$LOGS/guest-$k.log"
		echo "  ($secs s)"
	done
fi

echo "== summary ($(( $(date +%s) - T0 )) s; logs in ${LOGS#"$ROOT"/}/)"
printf '%s\n' "${SUMMARY[@]}"
if [ "$TOTAL_SKIP" -gt 0 ]; then
	echo "$TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
else
	echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
fi
[ "$TOTAL_FAIL" -eq 0 ]
