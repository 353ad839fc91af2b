#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# pagecache_unmap_policy=skip: MADV_PAGEOUT (reclaim) leaves pinned
# page-cache pages mapped (PTE present in /proc/PID/pagemap) and traces
# them as skipped; the unpinned pages of the same file are reclaimed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pagecache.sh"

pc_mount
f=$(pc_file skip 8)
ino=$(stat -c %i "$f")
pl_holder_load
pl_load
# The unmap hook is the one IPMODIFY ftrace ops ("I"), with full regs ("R").
grep '^try_to_unmap_one ' $PL_TRACEFS/enabled_functions | grep ' R I ' >/dev/null ||
	fail "try_to_unmap_one not hooked with R I: $(grep try_to_unmap_one $PL_TRACEFS/enabled_functions)"
grep '^page_mkclean_one ' $PL_TRACEFS/enabled_functions | grep -v ' I ' >/dev/null ||
	fail "page_mkclean_one not hooked (or IPMODIFY)"
echo skip > $PL_SYSFS/pagecache_unmap_policy
expect_eq "policy" "$(cat $PL_SYSFS/pagecache_unmap_policy)" skip
pc_trace pagecache_unmap
s0=$(pc_counter pagecache_unmap_skipped)
out=$("$PCPIN" pageout "$f" --pages 8 --pin 2)
echo "$out"
cat "$PL_TRACEFS/trace" | grep pagecache_unmap || true
expect_eq "pagemap present bits (pages 0-1 pinned)" \
	"$(sed -n 's/^present=//p' <<< "$out")" 11000000
for i in 0 1; do
	pc_events pagecache_unmap "$ino" | grep "index=$i .*action=skipped" >/dev/null ||
		fail "no pagecache_unmap action=skipped event for page $i"
done
[ -z "$(pc_events pagecache_unmap "$ino" | grep -v action=skipped)" ] ||
	fail "unexpected pagecache_unmap events"
expect_gt "pagecache_unmap_skipped" $(( $(pc_counter pagecache_unmap_skipped) - s0 )) 1
echo "skip: pinned pages stay mapped, unpinned pages reclaimed"
