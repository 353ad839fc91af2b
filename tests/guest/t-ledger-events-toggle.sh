#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turning the pin events on and off while pins are taken and released
# loses nothing.  Enabling pin_acquire or pin_release moves every hook
# from the per-CPU journals to the index (module/journal.c,
# pinledger_trace_pin_reg()), disabling them moves it back; a release
# that took the direct path while its acquisition still sat in a journal
# used to find no entry ("unmatched_releases" +1) and leave that pin live
# in the ledger for good.  Here pin+unpin loops run on every CPU and
# holders come and go while the events toggle: afterwards no release was
# unmatched, the totals equal /proc/vmstat and no pin is left.
. "$(dirname "$0")/lib.sh"

pl_holder_load
pl_load
ev=$PL_TRACEFS/events/pinledger
pl_pin_totals; A0=$A R0=$R LA0=$LA LR0=$LR U0=$U L0=$L UM0=$UM
ncpu=$(nproc)
rm -f /tmp/toggle.stop
pids=
# Per CPU: pins released at once (cancelled in place while no event is
# on), and pins held 300 us, so that many are in a journal, not yet
# absorbed, while an event is being enabled.
for i in $(seq "$ncpu"); do
	( while [ ! -e /tmp/toggle.stop ]; do
		$PINCTL bench anon --pages 64 --loops 20 > /dev/null || exit 1
	  done ) &
	pids="$pids $!"
	( while [ ! -e /tmp/toggle.stop ]; do
		$PINCTL bench anon --pages 16 --loops 20 --hold-us 300 \
			--api slow > /dev/null || exit 1
	  done ) &
	pids="$pids $!"
done
toggles=0
for round in $(seq 6); do
	pin_start h hold anon --pages 32 --write
	for e in pin_acquire pin_release pin_acquire; do
		echo 1 > "$ev/$e/enable"
		sleep 0.1
		echo 0 > "$ev/$e/enable"
		toggles=$((toggles + 1))
	done
	# Released while the events are on, and while they go off.
	echo 1 > "$ev/pin_release/enable"
	pin_stop h
	echo 0 > "$ev/pin_release/enable"
	toggles=$((toggles + 1))
done
touch /tmp/toggle.stop
for p in $pids; do wait "$p" || fail "pinctl bench loop failed"; done
rm -f /tmp/toggle.stop
pl_pin_totals
echo "$toggles toggles on $ncpu CPUs"
echo "vmstat:  acquired +$((A - A0)) released +$((R - R0))"
echo "ledger:  acquired +$((LA - LA0)) released +$((LR - LR0)) untracked +$((U - U0)) lost +$((L - L0)) unmatched +$((UM - UM0))"
[ $((A - A0)) -gt 1000 ] || fail "only $((A - A0)) pins taken: the loops did not run"
expect_eq "unmatched releases" $((UM - UM0)) 0
expect_eq "acquired pins (ledger vs vmstat)" $((LA - LA0 + U - U0)) $((A - A0))
expect_eq "released pins (ledger vs vmstat)" $((LR - LR0)) $((R - R0))
expect_eq "lost releases" $((L - L0)) 0
expect_eq "pins live after release" "$(pl_counter live_pins)" 0
