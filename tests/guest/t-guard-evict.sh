#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# A process unlinks a DAX file whose pages sit in its own pipe: the
# unlink returns at once, eviction is deferred (the blocks are not
# reused), umount and rmmod fail with EBUSY meanwhile, and once the pipe
# is drained the inode is evicted and its space returns.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
pl_load
fs_reset $d
base=$(df --output=avail -B1 $d | tail -1)
victim_make $d/victim
ballast_fill $d
t0=$(date +%s%N)
pin_start v vmsplice $d/victim --pages 8 --unmap --unlink
echo "unlink by the pin holder returned within $(( ($(date +%s%N) - t0) / 1000000 )) ms"
[ ! -e $d/victim ] || fail "victim not unlinked"
expect_eq "deferred evictions" "$(cat $PL_SYSFS/deferred_evictions)" 1
! umount $d 2>/dev/null || fail "umount succeeded with a deferred eviction"
! rmmod pinledger 2>/dev/null || fail "rmmod succeeded with a deferred eviction"
sync
fill_other $d
pin_stop v
got=$(pipe_first v)
echo "pipe returned $got"
[ "$got" = $A_HEX ] || fail "the unlinked file's pinned blocks were reused ($got)"
for i in $(seq 100); do
	[ "$(cat $PL_SYSFS/deferred_evictions)" = 0 ] && break
	sleep 0.05
done
expect_eq "deferred evictions after drain" "$(cat $PL_SYSFS/deferred_evictions)" 0
grep -E 'evictions_(deferred|completed)' $PL_DEBUGFS/counters
fs_reset $d
after=$(df --output=avail -B1 $d | tail -1)
echo "free space: $base before, $after after"
[ $((base - after)) -lt 65536 ] || fail "space not returned: $base -> $after"
