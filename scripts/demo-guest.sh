#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh - the in-guest half of "make demo": a stock kernel, pmem
# with DAX, pinledger loaded; a process pins a DAX file's pages, a
# truncate of that file blocks, pinledger shows who holds the pins and
# what the truncate waits on; the holder releases and the truncate ends.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=$(uname -r)
PINCTL=$ROOT/build/${PINLEDGER_RELEASE:+$PINLEDGER_RELEASE/}tools/pinctl
T=/sys/kernel/tracing
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; eval "$@"; }
PLT=$ROOT/build/${PINLEDGER_RELEASE:+$PINLEDGER_RELEASE/}tools/pinledger

run "uname -r"
run "grep dax /proc/mounts"
run "insmod $ROOT/build/$KVER/pinledger.ko"
run "insmod $ROOT/build/$KVER/pinholder/pinholder.ko   # test-only: holds pins like a DMA driver"
run "cat /sys/kernel/pinledger/version /sys/kernel/pinledger/policy"
run "echo 1 > $T/events/pinledger/layout_begin/enable; echo 1 > $T/events/pinledger/layout_end/enable"
run "dd if=/dev/urandom of=/mnt/ext4dax/data bs=4k count=16 status=none"
say "$PINCTL hold /mnt/ext4dax/data --pages 4 --write --unmap &   # pin 4 pages for DMA, then munmap"
"$PINCTL" hold /mnt/ext4dax/data --pages 4 --write --unmap > /tmp/holder.out &
holder=$!
until grep -q ready /tmp/holder.out; do sleep 0.1; done
say "truncate -s 0 /mnt/ext4dax/data &   # stock $KVER would free the pinned blocks now"
truncate -s 0 /mnt/ext4dax/data &
tr=$!
sleep 1
run "ps -o pid,stat,wchan:24,cmd -p $tr   # the truncate is waiting"
run "$PLT who /mnt/ext4dax/data   # asks /dev/pinledger"
run "grep layout_begin $T/trace | sed 's/^ *//'"
run "stat -c 'size=%s' /mnt/ext4dax/data"
run "kill $holder; wait $holder   # the holder unpins"
run "wait $tr; echo truncate exit status \$?; stat -c 'size=%s' /mnt/ext4dax/data"
run "grep layout_end $T/trace | sed 's/^ *//'"
run "grep . /sys/kernel/pinledger/counters/{acquired_pins,released_pins,live_pages}"
run "rmmod pinledger pinholder && dmesg | grep pinledger: | tail -2"
