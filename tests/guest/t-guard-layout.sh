#!/bin/bash
# fs: each
# SPDX-License-Identifier: GPL-2.0
# With pinledger (policy wait) a truncate after munmap, a hole punch, a
# collapse range and a zero range of pinned DAX pages wait until the pins
# drain: the blocks are not handed to another file while pinned (the pipe
# returns the file's own data) and the change completes after the release.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
pl_load
for op in truncate punch collapse zero; do
	fs_reset $d
	victim_make $d/victim
	ballast_fill $d
	pin_start v vmsplice $d/victim --pages 8 --unmap
	case $op in
	truncate) cmd="truncate -s 0 $d/victim" ;;
	punch)    cmd="fallocate -p -o 0 -l 32768 $d/victim" ;;
	collapse) cmd="fallocate -c -o 0 -l 16384 $d/victim" ;;
	zero)     cmd="fallocate -z -o 0 -l 32768 $d/victim" ;;
	esac
	before=$(stat -f -c '%f' $d)
	$cmd & op_pid=$!
	sleep 1
	kill -0 $op_pid 2>/dev/null || fail "$op did not wait for the pins"
	sync
	expect_eq "$op: free blocks while pinned" "$(stat -f -c '%f' $d)" "$before"
	if [ "$op" = truncate ] || [ "$op" = punch ]; then
		sync
		fill_other $d
	fi
	pin_stop v
	wait $op_pid || fail "$op failed after the pins drained"
	got=$(pipe_first v)
	echo "$op: waited while pinned, completed after release; pipe returned $got"
	[ "$got" = $A_HEX ] || fail "$op: the pinned pages held another file's data ($got)"
done
fs_reset $d
