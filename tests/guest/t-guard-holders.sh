#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# The guard with real holders other than vmsplice, on an unmapped file
# whose blocks would be reused at once (filesystem full):
#  - an O_DIRECT read and an io_uring read from a slow null_blk device
#    into the file's pages, unmapped while in flight: a truncate waits
#    until the I/O completes, the blocks stay allocated meanwhile (and
#    another file written afterwards is intact);
#  - the test pin holder, which writes into its pinned pages after the
#    truncate was attempted and another file was written: that other file
#    is unchanged, and the truncate completes once the pins are released.
# Also prints the release -> resume latency of the waiting truncate, from
# trace timestamps (the last pin_release vs layout_end); make bench
# measures it properly (P5), this test only checks the events exist.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
f=$d/victim
# Each read takes SLOW_NS: meant to be still in flight when the test
# looks, also on a debug kernel (PL_SLOWDOWN).  Whether it was is read off
# the ledger, not assumed from the clock: a round in which the pins went
# before the check completed proves nothing and runs again on a device
# twice as slow.  The request timeout is raised above the delay (6.1's
# null_blk times requests out after 5 s).
SLOW_NS=$((4000000000 * PL_SLOWDOWN))
# slow_device NS: (re)create nullb0 with reads taking NS nanoseconds.
slow_device() {
	rmmod null_blk 2>/dev/null || true
	modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=$1 gb=1 bs=4096 ||
		fail "cannot load null_blk"
	echo $(($1 / 1000000 + 10000)) > /sys/block/nullb0/queue/io_timeout ||
		fail "cannot raise nullb0's request timeout"
}
slow_device $SLOW_NS
trap 'rmmod null_blk 2>/dev/null || true' EXIT
pl_holder_load
pl_load
fs_reset $d

# other_sum: checksum of the other file, and of what it should contain.
other_sum() { md5sum < $d/other | cut -d' ' -f1; }
other_want() {
	{ yes BBBB || true; } | head -c "$(stat -c %s $d/other)" | md5sum | cut -d' ' -f1
}

# truncate_waits NAME: start a truncate of the victim (pid in TP); while
# the pins are there it must wait, with the free space unchanged.  The
# pins are read last: pins present then were present during the reads
# before (nothing pins these pages again), so the verdict does not depend
# on timing.  Returns 0 when checked, 2 when the pins were gone by then
# (inconclusive: the caller runs the round again, slower); fails on a
# truncate that proceeded while pinned.
truncate_waits() {
	local before after running npins
	before=$(stat -f -c '%f' $d)
	truncate -s 0 $f & TP=$!
	sleep 1
	sync
	after=$(stat -f -c '%f' $d)
	kill -0 $TP 2>/dev/null && running=1 || running=0
	npins=$(pins_of $ino | grep -c . || true)
	if [ "$npins" = 0 ]; then
		echo "# $1: the pins went before the check completed: inconclusive"
		return 2
	fi
	[ $running = 1 ] || fail "$1: truncate did not wait for the pins ($npins still pinned)"
	expect_eq "$1: free blocks while pinned" "$after" "$before"
}

for how in odirect uring; do
	ns=$SLOW_NS
	for try in 1 2 3; do
		fs_reset $d
		victim_make $f
		ino=$(stat -c %i $f)
		ballast_fill $d slack
		pin_start o $how $f --pages 8 --dev /dev/nullb0 --unmap
		for i in $(seq 100); do
			grep -q '^unmapped' /tmp/pin.o && break
			sleep 0.05
		done
		grep -q '^unmapped' /tmp/pin.o || fail "$how: reader did not unmap"
		n=$(pins_of $ino | grep -c "tgid=$PIN_o " || true)
		expect_eq "$how: pages in flight" "$n" 8
		checked=0; truncate_waits $how || checked=$?
		rc=0; wait $PIN_o || rc=$?
		[ $rc = 0 ] || fail "$how: reader exited with $rc: $(cat /tmp/pin.o)"
		wait $TP || fail "$how: truncate failed after the I/O completed"
		[ $checked = 0 ] && break
		ns=$((ns * 2))
		echo "# $how: again with reads of $((ns / 1000000)) ms"
		slow_device $ns
	done
	[ $checked = 0 ] || fail "$how: the reads completed before every check (3 tries, up to $((ns / 1000000)) ms)"
	fill_other $d
	expect_eq "$how: victim size" "$(stat -c %s $f)" 0
	expect_eq "$how: other file content" "$(other_sum)" "$(other_want)"
	echo "$how: truncate waited for the in-flight read, other file intact"
done

echo 1 > $PL_TRACEFS/events/pinledger/pin_release/enable
echo 1 > $PL_TRACEFS/events/pinledger/layout_end/enable
for i in 1 2 3; do
	fs_reset $d
	victim_make $f
	ino=$(stat -c %i $f)
	ballast_fill $d slack
	echo > $PL_TRACEFS/trace
	pin_start h hold $f --pages 8 --write --unmap --pattern 0x5858585858585858
	truncate_waits holder
	fill_other $d
	pin_stop h
	wait $TP || fail "holder: truncate failed after the release"
	expect_eq "holder: victim size" "$(stat -c %s $f)" 0
	expect_eq "holder: other file content" "$(other_sum)" "$(other_want)"
	# Timestamps in seconds (field before "pinledger:"), last release and
	# the end of the layout change of this inode.
	rel=$(grep "pin_release: .* ino=$ino " $PL_TRACEFS/trace | tail -1 |
		sed -E 's/.* ([0-9]+\.[0-9]+): pin_release.*/\1/')
	end=$(grep "layout_end: .* ino=$ino .*outcome=proceeded" $PL_TRACEFS/trace | tail -1 |
		sed -E 's/.* ([0-9]+\.[0-9]+): layout_end.*/\1/')
	[ -n "$rel" ] && [ -n "$end" ] || { cat $PL_TRACEFS/trace; fail "holder: no pin_release/layout_end events"; }
	echo "holder: round $i: release -> layout_end $(echo "($end - $rel) * 1000000 / 1" | bc) us"
done
echo 0 > $PL_TRACEFS/events/pinledger/enable
echo "holder: writes into pinned pages after the truncate attempt left the other file intact"
fs_reset $d
