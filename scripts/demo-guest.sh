#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh - the in-guest half of "make demo".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=$(uname -r)
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; eval "$@"; }

run "uname -r"
run "grep dax /proc/mounts"
run "insmod $ROOT/build/$KVER/pinledger.ko"
run "cat /sys/kernel/pinledger/version /sys/kernel/pinledger/features"
run "cat /sys/kernel/debug/pinledger/hooks"
run "echo 1 > /sys/kernel/tracing/events/pinledger/enable"
run "dd if=/dev/zero of=/mnt/ext4dax/demo bs=4k count=8 status=none && truncate -s 4k /mnt/ext4dax/demo && rm /mnt/ext4dax/demo"
run "cat /sys/kernel/debug/pinledger/counters"
run "grep pinledger: /sys/kernel/tracing/trace | sed 's/^ *//'"
run "rmmod pinledger && dmesg | grep pinledger:"
