#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# A bpftrace one-liner on a pinledger tracepoint: count releases by owner
# and sum lifetimes.  bpftrace reads the event's fields from its tracefs
# format file (args->tgid ...), so no module BTF is needed (6.1 has none).
. "$(dirname "$0")/lib.sh"

command -v bpftrace >/dev/null || skip "bpftrace not installed: run scripts/provision.sh"
f=/mnt/ext4dax/bt.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=4 status=none
ino=$(stat -c %i $f)
prog='tracepoint:pinledger:pin_release /args->ino == '$ino'/ { @releases[args->tgid] = count(); @lifetime_us = hist(args->lifetime_ns / 1000); }'
echo "bpftrace -e '$prog'"
timeout 120 bpftrace -e "$prog" > /tmp/bt.out 2>&1 & bp=$!
for i in $(seq 1200); do
	grep -q '^Attaching' /tmp/bt.out && break
	kill -0 $bp 2>/dev/null || fail "bpftrace: $(cat /tmp/bt.out)"
	sleep 0.05
done
sleep 0.5
pin_start h hold $f --pages 4
pin_stop h
kill -INT $bp
wait $bp || fail "bpftrace exited $?: $(cat /tmp/bt.out)"
cat /tmp/bt.out
grep -q "^@releases\[$PIN_h\]: 4$" /tmp/bt.out || fail "want @releases[$PIN_h]: 4"
grep -q '^@lifetime_us:' /tmp/bt.out || fail "no lifetime histogram"
rm -f $f
