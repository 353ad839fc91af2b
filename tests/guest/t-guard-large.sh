#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A pin deep in a large DAX file.  The guard's scan of a file's entries
# stops to reschedule every 4096 entries (module/guard.c, SCAN_SCHED) and
# must go on where it stopped.  The file, 8448 pages, is faulted in with
# one 4 KiB entry per page (pinctl --no-huge; the entries stay after the
# mapping goes); then a one-page pin at index 4095 and 4096 (either side
# of the first stop), 4097 and 8447 (the last), each with the file
# unmapped (where stock kernels do not look at all), must make a truncate
# under policy block fail with EBUSY and leave the file whole.  With the
# pins gone, the truncate goes through.  ext4 only: the scan is the
# guard's, the same for every filesystem (guard-layout and guard-policies
# cover both filesystems' break paths), and the file takes 20 s to set up.
. "$(dirname "$0")/lib.sh"

d=${PL_MNT[ext4]}
f=$d/large
n=8448
pl_holder_load
pl_load
fs_reset $d
rm -f $f
dd if=/dev/zero of=$f bs=4096 count=$n status=none
pin_start all hold $f --pages $n --no-huge
pin_stop all
echo block > $PL_SYSFS/policy
for idx in 4095 4096 4097 $((n - 1)); do
	pin_start p hold $f --pages 1 --offset $idx --no-huge --unmap
	out=$(truncate -s 0 $f 2>&1) && fail "pin at $idx: truncate succeeded"
	echo "$out" | grep -q 'Device or resource busy' || fail "pin at $idx: $out, want EBUSY"
	expect_eq "pin at $idx: size" "$(stat -c %s $f)" $((n * 4096))
	pin_stop p
	echo "pin at page $idx of $n: truncate refused with EBUSY"
done
echo wait > $PL_SYSFS/policy
truncate -s 0 $f || fail "truncate without pins failed"
expect_eq "size after" "$(stat -c %s $f)" 0
rm -f $f
