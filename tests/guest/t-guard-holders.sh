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
# Each read takes SLOW_NS: long enough to still be in flight when the test
# looks, also on a debug kernel (PL_SLOWDOWN).  The request timeout is
# raised above it (6.1's null_blk times requests out after 5 s).
SLOW_NS=$((4000000000 * PL_SLOWDOWN))
modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=$SLOW_NS gb=1 bs=4096 ||
	fail "cannot load null_blk"
trap 'rmmod null_blk 2>/dev/null || true' EXIT
echo $((SLOW_NS / 1000000 + 10000)) > /sys/block/nullb0/queue/io_timeout ||
	fail "cannot raise nullb0's request timeout"
pl_holder_load
pl_load
fs_reset $d

# other_sum: checksum of the other file, and of what it should contain.
other_sum() { md5sum < $d/other | cut -d' ' -f1; }
other_want() {
	{ yes BBBB || true; } | head -c "$(stat -c %s $d/other)" | md5sum | cut -d' ' -f1
}

# truncate_waits NAME: start a truncate of the victim, check that it is
# still waiting a second later with the free space unchanged; its pid is
# in TP.
truncate_waits() {
	local before
	before=$(stat -f -c '%f' $d)
	truncate -s 0 $f & TP=$!
	sleep 1
	if ! kill -0 $TP 2>/dev/null; then
		# Conclusive only if the pins were still there.
		[ "$(pins_of $ino | grep -c . || true)" = 0 ] &&
			fail "$1: the pins were gone within the check (device too fast for this guest)"
		fail "$1: truncate did not wait for the pins"
	fi
	sync
	expect_eq "$1: free blocks while pinned" "$(stat -f -c '%f' $d)" "$before"
}

for how in odirect uring; do
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
	truncate_waits $how
	kill -0 $PIN_o 2>/dev/null || fail "$how: I/O completed before the check (device too fast)"
	rc=0; wait $PIN_o || rc=$?
	[ $rc = 0 ] || fail "$how: reader exited with $rc: $(cat /tmp/pin.o)"
	wait $TP || fail "$how: truncate failed after the I/O completed"
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
