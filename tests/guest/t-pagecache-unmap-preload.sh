#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# Pins taken before pinledger loaded are not in the ledger; the refcount
# shows them (unknown owner), and pagecache_unmap_policy=skip leaves those
# pages mapped too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pagecache.sh"

pc_mount
f=$(pc_file preload 4)
ino=$(stat -c %i "$f")
go=/tmp/pcpin.go.$$
rm -f $go
pl_holder_load
"$PCPIN" pageout "$f" --pages 4 --pin 1 --go $go > /tmp/pcpin.out 2>&1 &
pid=$!
for i in $(seq 200); do
	grep -q '^pinned=' /tmp/pcpin.out && break
	sleep 0.05
done
grep -q '^pinned=1' /tmp/pcpin.out || fail "pcpin did not pin: $(cat /tmp/pcpin.out)"
pl_load
echo skip > $PL_SYSFS/pagecache_unmap_policy
pc_trace pagecache_unmap
touch $go
wait $pid || fail "pcpin: $(cat /tmp/pcpin.out)"
cat /tmp/pcpin.out
grep pagecache_unmap "$PL_TRACEFS/trace" || true
expect_eq "present bits (page 0 pinned before load)" \
	"$(sed -n 's/^present=//p' /tmp/pcpin.out)" 1000
pc_events pagecache_unmap "$ino" | grep "index=0 .*pins=0 unknown_pins=1 action=skipped" >/dev/null ||
	fail "no pagecache_unmap event for the unknown-owner pin"
rm -f $go
echo "pre-load pin found by refcount and skipped"
