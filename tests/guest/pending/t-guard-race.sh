#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# The guard never misses a pin taken before a layout change, on another
# CPU, in a tight race: under every policy, a holder on CPU 0 pins the
# 8 pages of a DAX file (pin_user_pages through the test pin holder,
# GUP-fast and slow alternately), unmaps them and holds them 300 ms,
# while a truncate to 0 on CPU 1 starts 0-150 ms after the holder was
# started (around the time it pins).  A
# truncate that returns success while the holder has said "ready" but not
# yet "releasing" (it says so before it releases; a revoked holder is
# killed instead) completed over a held pin: that fails the test, and so
# does the kernel's own warning for it (dax_disassociate_entry: a
# truncated page with extra references, caught by run.sh).  The race must
# really happen: under each policy some truncates must start while the pin
# is held (and under block, some must be refused with EBUSY).
. "$(dirname "$0")/../lib.sh"

d=$(pl_dir)
f=$d/victim
N=${PL_RACE_LOOPS:-12}
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
pl_holder_load
pl_load
fs_reset $d
echo 1000 > $PL_SYSFS/revoke_grace_ms
out=/tmp/race.pin
for policy in wait block revoke; do
	echo $policy > $PL_SYSFS/policy
	held=0 first=0 done=0 busy=0
	for i in $(seq $N); do
		victim_make $f
		api=fast
		[ $((i % 2)) -eq 0 ] && api=slow
		taskset -c 0 "$PINCTL" hold $f --pages 8 --api $api --unmap \
			--hold-ms 300 > $out 2>&1 < /dev/null &
		hp=$!
		# 0-150 ms: around the time the holder pins.
		sleep "$(printf '0.%03d' $((RANDOM % 150)))"
		# Held as the truncate starts: pinned before the layout change.
		pre=$(cat $out)
		rc=0
		taskset -c 1 timeout 60 truncate -s 0 $f 2> /tmp/race.trunc || rc=$?
		post=$(cat $out)
		hrc=0
		# (A revoked holder dies of SIGUSR1: no job message.)
		wait $hp 2> /dev/null || hrc=$?
		[ $rc -ne 124 ] || fail "$policy #$i: truncate hung"
		if echo "$pre" | grep -q '^ready' && ! echo "$pre" | grep -q '^releasing'; then
			held=$((held + 1))
		fi
		echo "$post" | grep -q '^ready' || first=$((first + 1))
		# Success while the holder had not begun to release (and was
		# not killed by revoke): the truncate went over a held pin.
		if [ $rc -eq 0 ] && echo "$post" | grep -q '^ready' &&
		   ! echo "$post" | grep -q '^releasing' && [ $hrc -eq 0 ]; then
			fail "$policy #$i ($api): truncate completed while the pin was held (holder: $(echo $post))"
		fi
		case $policy in
		block)
			[ $rc -eq 0 ] || grep -q 'Device or resource busy' /tmp/race.trunc ||
				fail "block #$i: $(cat /tmp/race.trunc)"
			[ $rc -eq 0 ] || busy=$((busy + 1))
			;;
		*)
			[ $rc -eq 0 ] || fail "$policy #$i: truncate failed: $(cat /tmp/race.trunc)"
			;;
		esac
		[ $rc -eq 0 ] && done=$((done + 1))
	done
	echo "$policy: $N rounds: pin held as the truncate started $held times, truncate first $first times, completed $done, EBUSY $busy"
	[ $held -gt 0 ] || fail "$policy: no truncate started while a pin was held: the race was not exercised"
	[ $policy != block ] || [ $busy -gt 0 ] || fail "block: no truncate was refused"
done
echo wait > $PL_SYSFS/policy
echo 5000 > $PL_SYSFS/revoke_grace_ms
fs_reset $d
