#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pagecache_unmap_policy=allow (the default) keeps stock behaviour -
# MADV_PAGEOUT unmaps pinned page-cache pages as it does without the
# module - and still traces each as allowed.
# fs: each
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pagecache.sh"

pc_mount
f=$(pc_file allow 8)
ino=$(stat -c %i "$f")
pl_holder_load
# Stock kernel first: what "allow" must reproduce.
out=$("$PCPIN" pageout "$f" --pages 8 --pin 2)
expect_eq "stock: present bits (pages 0-1 pinned)" \
	"$(sed -n 's/^present=//p' <<< "$out")" 00000000
pl_load
expect_eq "default policy" "$(cat $PL_SYSFS/pagecache_unmap_policy)" allow
pc_trace pagecache_unmap
a0=$(pc_counter pagecache_unmap_pinned)
out=$("$PCPIN" pageout "$f" --pages 8 --pin 2)
echo "$out"
grep pagecache_unmap "$PL_TRACEFS/trace" || true
expect_eq "allow: present bits (pages 0-1 pinned)" \
	"$(sed -n 's/^present=//p' <<< "$out")" 00000000
for i in 0 1; do
	pc_events pagecache_unmap "$ino" | grep "index=$i .*pins=1 .*action=allowed" >/dev/null ||
		fail "no pagecache_unmap action=allowed event for page $i"
done
[ -z "$(pc_events pagecache_unmap "$ino" | grep -E 'index=[2-7] ')" ] ||
	fail "events for unpinned pages"
expect_gt "pagecache_unmap_pinned" $(( $(pc_counter pagecache_unmap_pinned) - a0 )) 1
expect_eq "pagecache_unmap_skipped" "$(pc_counter pagecache_unmap_skipped)" 0
echo "allow: stock unmapping, events fired"
