#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# Memory failure is never blocked: with pagecache_unmap_policy=skip,
# madvise(MADV_HWPOISON) on a pinned page-cache page still unmaps it
# (the event says hwpoison, not skipped).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pagecache.sh"

grep -q '^CONFIG_MEMORY_FAILURE=y' "/boot/config-$(uname -r)" 2>/dev/null ||
	[ -e /proc/sys/vm/memory_failure_recovery ] ||
	skip "kernel without CONFIG_MEMORY_FAILURE"
pc_mount
f=$(pc_file poison 2)
ino=$(stat -c %i "$f")
pl_holder_load
pl_load
echo skip > $PL_SYSFS/pagecache_unmap_policy
pc_trace pagecache_unmap
u0=$(pc_counter pagecache_unmap_unskippable)
out=$("$PCPIN" hwpoison "$f" --pages 2)
echo "$out"
grep pagecache_unmap "$PL_TRACEFS/trace" || true
grep -q '^madvise=0$' <<< "$out" || grep -q '^madvise=16$' <<< "$out" ||
	fail "madvise(MADV_HWPOISON): $out"
expect_eq "present bits (page 0 pinned and poisoned)" \
	"$(sed -n 's/^present=//p' <<< "$out")" 01
pc_events pagecache_unmap "$ino" | grep "index=0 .*action=hwpoison" >/dev/null ||
	fail "no pagecache_unmap action=hwpoison event"
[ -z "$(pc_events pagecache_unmap "$ino" | grep action=skipped)" ] ||
	fail "memory-failure unmap was skipped"
expect_gt "pagecache_unmap_unskippable" $(( $(pc_counter pagecache_unmap_unskippable) - u0 )) 0
echo "hwpoison: pinned page unmapped despite skip"
