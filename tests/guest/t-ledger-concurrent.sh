#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Processes pinning and unpinning the same DAX pages concurrently (the
# holder's in-kernel pin+unpin loops through the fast and slow paths)
# while others hold pins on them: at each quiescent point every page
# shows exactly the held pins, and totals match /proc/vmstat.
. "$(dirname "$0")/lib.sh"

f=/mnt/ext4dax/conc.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=16 status=none
ino=$(stat -c %i $f)
A0=$(vmstat nr_foll_pin_acquired); LA0=$(pl_counter acquired_pins)
for round in 1 2 3; do
	for i in 1 2 3 4; do
		pin_start s$i hold $f --pages 16
	done
	pids=
	for i in 1 2 3 4; do
		api=fast; [ $((i % 2)) = 0 ] && api=slow
		$PINCTL bench $f --pages 16 --loops 150 --api $api > /dev/null &
		pids="$pids $!"
	done
	for p in $pids; do wait $p || fail "bench failed"; done
	lines=$(pins_of $ino)
	n=$(echo "$lines" | grep -c " pins=4 gets=0 " || true)
	[ "$n" = 16 ] || { echo "$lines"; fail "round $round: $n of 16 pages show pins=4"; }
	for i in 1 2 3 4; do pin_stop s$i; done
	[ -z "$(pins_of $ino)" ] || { pins_of $ino; fail "round $round: entries left"; }
	echo "round $round: 16 pages x 4 held pins exact after 4 x 150 concurrent pin/unpin loops"
done
A=$(vmstat nr_foll_pin_acquired); LA=$(pl_counter acquired_pins)
echo "vmstat acquired +$((A - A0)), ledger acquired +$((LA - LA0))"
expect_eq "acquired pins (ledger vs vmstat)" $((LA - LA0)) $((A - A0))
rm -f $f
