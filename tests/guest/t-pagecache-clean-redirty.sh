#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# pagecache_clean_policy=redirty: a page pinned for write and cleaned by
# fsync is dirtied again when its last write pin goes, so what the pin
# holder wrote after the clean reaches storage although the holder
# released without dirtying.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pagecache.sh"

pc_mount
pl_holder_load
f=$(pc_file redirty 1)
ino=$(stat -c %i "$f")
pl_load
if pl_rt; then
	# The hooks cannot read the ledger on PREEMPT_RT: redirty is refused
	# with EOPNOTSUPP and a dmesg line, and the policy stays report.
	! echo redirty 2>/dev/null > $PL_SYSFS/pagecache_clean_policy ||
		fail "rt: redirty accepted"
	dmesg | tail -3 | grep -q "redirty is not available on PREEMPT_RT" ||
		fail "rt: no dmesg line for the refused redirty"
	expect_eq "rt: policy after the refusal" "$(cat $PL_SYSFS/pagecache_clean_policy)" report
	echo "rt: redirty refused (EOPNOTSUPP), as documented"
	exit 0
fi
echo redirty > $PL_SYSFS/pagecache_clean_policy
pc_trace pagecache_mkclean pagecache_redirty
r0=$(pc_counter pagecache_redirtied)
"$PCPIN" clean "$f" --pattern 4242424242424242
for i in $(seq 100); do
	[ "$(pc_counter pagecache_redirtied)" -gt "$r0" ] && break
	sleep 0.05
done
grep -E 'pagecache_(mkclean|redirty)' "$PL_TRACEFS/trace" || true
expect_eq "pagecache_redirtied" $(( $(pc_counter pagecache_redirtied) - r0 )) 1
pc_events pagecache_mkclean "$ino" | grep "write_pins=1 .*policy=redirty" >/dev/null ||
	fail "no pagecache_mkclean event"
pc_events pagecache_redirty "$ino" | grep "action=dirtied" >/dev/null ||
	fail "no pagecache_redirty action=dirtied event"
expect_eq "redirty: first bytes on storage" "$(pc_drop_read "$f")" 42424242
expect_eq "pagecache_redirty_failed" "$(pc_counter pagecache_redirty_failed)" 0
echo "redirty: data written after the clean is on storage"
