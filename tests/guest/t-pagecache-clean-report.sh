#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# A page pinned for write is cleaned by fsync; the pin holder then writes
# new data into it and releases without dirtying.  Without pinledger, and
# with pagecache_clean_policy=report (the default), the new data is lost
# once the clean page is dropped; report counts and traces the clean.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pagecache.sh"

pc_mount
pl_holder_load
f=$(pc_file stock 1)
"$PCPIN" clean "$f" --pattern 4242424242424242
expect_eq "stock: first bytes on storage" "$(pc_drop_read "$f")" 41414141
echo "stock: data written after the clean is lost"

f=$(pc_file report 1)
ino=$(stat -c %i "$f")
pl_load
expect_eq "default policy" "$(cat $PL_SYSFS/pagecache_clean_policy)" report
pc_trace pagecache_mkclean pagecache_redirty
c0=$(pc_counter pagecache_cleaned_pinned)
"$PCPIN" clean "$f" --pattern 4242424242424242
grep -E 'pagecache_(mkclean|redirty)' "$PL_TRACEFS/trace" || true
if pl_rt; then
	# PREEMPT_RT: the hooks count pins by refcount (unknown owner), mark
	# nothing, and so announce no last write unpin.
	pc_events pagecache_mkclean "$ino" | grep "index=0 .*write_pins=0 unknown_pins=1 policy=report" >/dev/null ||
		fail "rt: no pagecache_mkclean event with the pin as unknown"
else
	pc_events pagecache_mkclean "$ino" | grep "index=0 .*write_pins=1 .*policy=report" >/dev/null ||
		fail "no pagecache_mkclean event"
	pc_events pagecache_redirty "$ino" | grep "action=reported" >/dev/null ||
		fail "no pagecache_redirty action=reported event"
fi
expect_gt "pagecache_cleaned_pinned" $(( $(pc_counter pagecache_cleaned_pinned) - c0 )) 0
expect_eq "report: first bytes on storage" "$(pc_drop_read "$f")" 41414141
expect_eq "pagecache_redirtied" "$(pc_counter pagecache_redirtied)" 0
echo "report: clean reported, data lost as on a stock kernel"
