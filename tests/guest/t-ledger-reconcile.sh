#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# FOLL_GET references on page-cache and anonymous pages are dropped with
# put_page(), which pinledger cannot hook: reconciliation against the
# refcount removes such entries within 2 * reconcile_ms of the release,
# and never removes a reference that is still held.
. "$(dirname "$0")/lib.sh"

RECONCILE_MS=500
pl_holder_load
pl_load reconcile_ms=$RECONCILE_MS
f=/tmp/reconcile.$$		# tmpfs: page cache, not DAX
dd if=/dev/zero of=$f bs=4k count=8 status=none
ino=$(stat -c %i $f)
ev=$PL_TRACEFS/events/pinledger/pin_release
echo "ino == $ino" > $ev/filter
echo 1 > $ev/enable
echo > $PL_TRACEFS/trace

pin_start g hold $f --pages 8 --get
# Held for 4 reconciliation periods: nothing may be taken away.
sleep $(echo "4 * $RECONCILE_MS / 1000" | bc -l)
expect_eq "held FOLL_GET entries after 4 periods" "$(pins_of $ino | grep -c 'gets=1 ')" 8
pin_stop g
wait_pins_gone $ino $((2 * RECONCILE_MS)) "stale FOLL_GET after release"
n=$(grep -c 'pin_release:.*reconciled=1' $PL_TRACEFS/trace || true)
expect_eq "pin_release events with reconciled=1" "$n" 8
echo 0 > $ev/enable
echo 0 > $ev/filter
rm -f $f
