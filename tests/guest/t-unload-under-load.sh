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
# A layout break on a DAX file holds a module reference for as long as
# the redirected busy check runs (hooks/layout.c), so rmmod, which does
# not wait, may find the module in use for that long: retry, for at most
# 10 s a cycle (a reference that is never dropped still fails).
cycles=${PL_UNLOAD_CYCLES:-20} busy=0
for i in $(seq "$cycles"); do
	pl_load
	sleep 0.2
	t0=$(date +%s)
	until out=$(rmmod pinledger 2>&1); do
		echo "$out" | grep -q 'in use' || fail "rmmod: $out"
		[ $(($(date +%s) - t0)) -lt 10 ] ||
			fail "module in use for 10 s (refcnt $(cat /sys/module/pinledger/refcnt))"
		busy=$((busy + 1))
		sleep 0.05
	done
done
kill $p1 $p2
wait $p1 $p2 2>/dev/null || true
echo "cycles: $cycles; rmmod found the module in use $busy times"
bad=$(dmesg_since | dmesg_bad)
[ -z "$bad" ] || fail "kernel complained: $bad"
! grep -q '^truncate_inode_pages_final' $PL_TRACEFS/enabled_functions ||
	fail "ftrace hook left after rmmod"
