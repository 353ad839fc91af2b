#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh - the in-guest half of "make demo": a stock kernel, pmem
# with DAX, pinledger loaded, a process pinning a DAX file, and who holds
# the pins.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=$(uname -r)
PINCTL=$ROOT/build/tools/pinctl
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; eval "$@"; }

run "uname -r"
run "grep dax /proc/mounts"
run "insmod $ROOT/build/$KVER/pinledger.ko"
run "insmod $ROOT/build/$KVER/pinholder/pinholder.ko   # test-only: holds pins like a DMA driver"
run "cat /sys/kernel/pinledger/version /sys/kernel/pinledger/features"
run "dd if=/dev/urandom of=/mnt/ext4dax/data bs=4k count=16 status=none"
say "$PINCTL hold /mnt/ext4dax/data --pages 4 --write &   # pin 4 pages for DMA"
"$PINCTL" hold /mnt/ext4dax/data --pages 4 --write > /tmp/holder.out &
holder=$!
until grep -q ready /tmp/holder.out; do sleep 0.1; done
say "vmsplice 2 pages of the same file into a pipe (FOLL_GET until the pipe is read)"
"$PINCTL" vmsplice /mnt/ext4dax/data --offset 8 --pages 2 > /tmp/splice.out &
splicer=$!
until grep -q ready /tmp/splice.out; do sleep 0.1; done
run "cat /sys/kernel/debug/pinledger/pins | grep -v file=anon"
say "who pins /mnt/ext4dax/data?"
exec 3<>/sys/kernel/debug/pinledger/query
echo /mnt/ext4dax/data >&3
cat <&3
exec 3>&-
run "grep . /sys/kernel/pinledger/counters/{live_pages,live_pins,live_gets,ledger_bytes}"
run "kill $holder $splicer; wait"
run "grep -c ext4dax /sys/kernel/debug/pinledger/pins || true"
run "rmmod pinledger pinholder && dmesg | grep pinledger: | tail -2"
