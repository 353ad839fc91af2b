#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# The ftrace hook on truncate_inode_pages_final() sees the eviction of an
# unlinked DAX inode (counter and trace event move), and ignores non-DAX
# mappings.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
grep -qE " $d .*dax" /proc/mounts || fail "$d is not mounted with dax"
pl_load
ev=$PL_TRACEFS/events/pinledger/dax_final_truncate
echo > $PL_TRACEFS/trace
echo 1 > $ev/enable

before=$(pl_counter dax_final_truncates)
for i in 1 2 3; do
	dd if=/dev/zero of=$d/evict.$i bs=4k count=4 status=none
	rm $d/evict.$i
done
sync
echo 2 > /proc/sys/vm/drop_caches
after=$(pl_counter dax_final_truncates)
echo "dax_final_truncates: $before -> $after"
[ $((after - before)) -ge 3 ] || fail "counter moved by $((after - before)), want >= 3"
events=$(grep -c 'dax_final_truncate:' $PL_TRACEFS/trace || true)
echo "trace events: $events"
[ "$events" -ge 3 ] || fail "saw $events dax_final_truncate events, want >= 3"
echo 0 > $ev/enable

# Not DAX: a tmpfs file's eviction must not count.
before=$(pl_counter dax_final_truncates)
dd if=/dev/zero of=/tmp/evict.tmpfs bs=4k count=4 status=none
rm /tmp/evict.tmpfs
after=$(pl_counter dax_final_truncates)
expect_eq "count after tmpfs eviction" "$after" "$before"
