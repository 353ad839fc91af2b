#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# The guard never misses a pin taken before a layout change, on another
# CPU, in a tight race: under every policy, a holder on CPU 0 pins the
# 8 pages of a DAX file (pin_user_pages through the test pin holder,
# GUP-fast and slow alternately), unmaps them and holds them 300 ms,
# while this shell, on CPU 1, truncates the file to 0 at a random point
# 0-500 ms after starting the holder: before it pins, while it holds and
# after it released.
#
# The truncate is the shell's own open(O_TRUNC) (": > file"), and the
# holder's state is read with builtins right before it: no exec between
# the "held" check and the syscall (under TCG an exec of truncate(1)
# takes longer than the holder holds, so a check before the exec says
# "held" about a pin that is gone by the time the syscall runs).
#
# A truncate that returns success while the holder has said "ready" but
# not yet "releasing" (it says so before it releases; a revoked holder is
# killed instead) completed over a held pin: that fails the test, and so
# does the kernel's own warning for it (dax_disassociate_entry: a
# truncated page with extra references, caught by run.sh).  The race must
# really happen: under each policy some truncates must start while the pin
# is held (and under block, some must be refused with EBUSY).
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
f=$d/victim
N=${PL_RACE_LOOPS:-12}
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
pl_holder_load
pl_load
fs_reset $d
echo 1000 > $PL_SYSFS/revoke_grace_ms
out=/tmp/race.pin
# A fifo nobody writes: "read -t" on it is a builtin sleep.
rm -f /tmp/race.fifo
mkfifo /tmp/race.fifo
exec 9<> /tmp/race.fifo
# This shell truncates; it runs on CPU 1 (the holder is put on CPU 0).
taskset -cp 1 $$ > /dev/null
# has LINE...: is a line of the holder's output (array) "^$1"?
has() {
	local want=$1 l
	shift
	for l in "$@"; do
		[[ $l == "$want"* ]] && return 0
	done
	return 1
}
for policy in wait block revoke; do
	echo $policy > $PL_SYSFS/policy
	held=0 first=0 done=0 busy=0
	for i in $(seq $N); do
		victim_make $f
		api=fast
		[ $((i % 2)) -eq 0 ] && api=slow
		: > $out
		taskset -c 0 "$PINCTL" hold $f --pages 8 --api $api --unmap \
			--hold-ms 300 > $out 2>&1 < /dev/null &
		hp=$!
		# 0-500 ms: the holder's exec and pin take 50-300 ms here.
		read -t "$(printf '%d.%03d' 0 $((RANDOM % 500)))" -u 9 || true
		# Held as the truncate starts: pinned before the layout change.
		mapfile -t pre < $out
		rc=0
		{ : > "$f"; } 2> /tmp/race.trunc || rc=$?
		mapfile -t post < $out
		hrc=0
		# (A revoked holder dies of SIGUSR1: no job message.)
		wait $hp 2> /dev/null || hrc=$?
		if has ready "${pre[@]}" && ! has releasing "${pre[@]}"; then
			held=$((held + 1))
		fi
		has ready "${post[@]}" || first=$((first + 1))
		# Success while the holder had not begun to release (and was
		# not killed by revoke): the truncate went over a held pin.
		if [ $rc -eq 0 ] && has ready "${post[@]}" &&
		   ! has releasing "${post[@]}" && [ $hrc -eq 0 ]; then
			fail "$policy #$i ($api): truncate completed while the pin was held (holder: ${post[*]})"
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
exec 9<&-
echo wait > $PL_SYSFS/policy
echo 5000 > $PL_SYSFS/revoke_grace_ms
fs_reset $d
