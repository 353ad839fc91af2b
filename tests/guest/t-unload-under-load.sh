#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# insmod/rmmod cycles while other tasks keep running the hooked functions
# (evictions and layout breaks on both DAX filesystems): no oops, no
# warnings, no hook left behind.
. "$(dirname "$0")/lib.sh"

churn() {
	local d=$1 i=0
	while :; do
		dd if=/dev/zero of=$d/churn.$BASHPID bs=4k count=8 status=none
		truncate -s 4k $d/churn.$BASHPID
		rm -f $d/churn.$BASHPID
		i=$((i + 1))
	done
}

dmesg_mark
churn /mnt/ext4dax & p1=$!
churn /mnt/xfsdax & p2=$!
cycles=${PL_UNLOAD_CYCLES:-20}
for i in $(seq "$cycles"); do
	pl_load
	sleep 0.2
	rmmod pinledger
done
kill $p1 $p2
wait $p1 $p2 2>/dev/null || true
echo "cycles: $cycles"
bad=$(dmesg_since | dmesg_bad)
[ -z "$bad" ] || fail "kernel complained: $bad"
! grep -q '^truncate_inode_pages_final' $PL_TRACEFS/enabled_functions ||
	fail "ftrace hook left after rmmod"
