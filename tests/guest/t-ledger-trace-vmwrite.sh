#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# process_vm_writev() into another process's DAX mapping pins the target
# pages for the copy: pin_acquire/pin_release events (filtered by inode,
# as perf/trace-cmd/bpftrace filters would) carry the writer's tgid, the
# file page, the flags and a lifetime.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
f=$d/vmwrite.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=4 status=none
ino=$(stat -c %i $f)
for e in pin_acquire pin_release; do
	echo "ino == $ino" > $PL_TRACEFS/events/pinledger/$e/filter
	echo 1 > $PL_TRACEFS/events/pinledger/$e/enable
done
echo > $PL_TRACEFS/trace
# The target maps the file; it holds nothing itself (FOLL_GET of 0 pages
# is not possible, so let it hold page 3 only and write pages 0-2).
pin_start t hold $f --pages 4 --hold-ms 60000 --get
$PINCTL vmwrite --pid $PIN_t --addr $PINADDR_t --pages 3 > /tmp/vmw.out &
w=$!
wait $w || fail "vmwrite failed"
pin_stop t
grep -m 8 'pin_' $PL_TRACEFS/trace || true
acq=$(grep -c "pin_acquire:.*ino=$ino .*tgid=$w flags=PIN" $PL_TRACEFS/trace || true)
rel=$(grep -c "pin_release:.*ino=$ino .*tgid=$w flags=PIN.*lifetime_ns=[1-9]" $PL_TRACEFS/trace || true)
expect_eq "pin_acquire events of the writer" "$acq" 3
expect_eq "pin_release events of the writer" "$rel" 3
for i in 0 1 2; do
	grep -q "pin_acquire:.*ino=$ino index=$i tgid=$w" $PL_TRACEFS/trace || fail "no event for index $i"
done
for e in pin_acquire pin_release; do
	echo 0 > $PL_TRACEFS/events/pinledger/$e/enable
	echo 0 > $PL_TRACEFS/events/pinledger/$e/filter
done
rm -f $f
