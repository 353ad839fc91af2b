#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# O_DIRECT reads (plain and io_uring) from a slow null_blk device into a
# DAX-mapped buffer: while in flight the ledger shows the pages with the
# reader as owner (FOLL_GET on 6.1, FOLL_PIN on 6.12); nothing after.
# 6.1 drops a bio's FOLL_GET references with folio_put_refs(), which has
# no hookable release for fsdax pages: those leave by reconciliation,
# within 2 * reconcile_ms; pins (6.12) must leave at once.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
f=$d/odirect.$$
modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=3000000000 gb=1 bs=4096 ||
	fail "cannot load null_blk"
trap 'rmmod null_blk 2>/dev/null || true' EXIT
RECONCILE_MS=500
pl_load reconcile_ms=$RECONCILE_MS
dd if=/dev/zero of=$f bs=4k count=8 status=none
ino=$(stat -c %i $f)
for how in odirect uring; do
	pin_start o $how $f --pages 8 --dev /dev/nullb0
	lines=
	for i in $(seq 40); do
		lines=$(pins_of $ino)
		[ -n "$lines" ] && break
		sleep 0.05
	done
	echo "$how: $(echo "$lines" | head -1)"
	n=$(echo "$lines" | grep -c "tgid=$PIN_o comm=[a-z0-9-]* flags=\(GET\|PIN\)|WRITE " || true)
	expect_eq "$how: pages in flight attributed to the reader" "$n" 8
	wait $PIN_o || fail "$how failed: $(cat /tmp/pin.o)"
	if echo "$lines" | grep -q 'flags=PIN'; then
		[ -z "$(pins_of $ino)" ] || { pins_of $ino; fail "$how: pins left after completion"; }
	else
		wait_pins_gone $ino $((2 * RECONCILE_MS)) "$how: FOLL_GET after completion"
	fi
done
rm -f $f
