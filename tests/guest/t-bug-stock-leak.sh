#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# dmesg: may-warn
# Without pinledger the stock kernel breaks the invariant the guard tests
# check: a truncate, hole punch, collapse range and zero range after
# munmap complete at once while the pages are pinned, and all but zero
# range (and the eviction of an unlinked file) free DAX blocks whose pages
# are still pinned (the space comes back while the pipe holds the pages).  On xfs the freed blocks are then reused by
# the next file and the pipe returns that file's data; ext4's allocator
# did not reuse them in this setup, so there the leak itself is reported,
# not required.  The guard tests (guard-layout, guard-evict) run the same
# scenario with the module and require the opposite.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
pl_unload
used() { stat -f -c '(%b - %f) * %S' "$1" | bc; }
for how in truncate punch collapse zero unlink; do
	fs_reset $d
	victim_make $d/victim
	ballast_fill $d slack
	before=$(used $d)
	case $how in
	truncate) cmd="truncate -s 0 $d/victim"; min=32768 ;;
	punch)    cmd="fallocate -p -o 0 -l 32768 $d/victim"; min=32768 ;;
	collapse) cmd="fallocate -c -o 0 -l 16384 $d/victim"; min=16384 ;;
	zero)     cmd="fallocate -z -o 0 -l 32768 $d/victim"; min=0 ;;
	unlink)   cmd=; min=32768 ;;
	esac
	if [ -n "$cmd" ]; then
		pin_start v vmsplice $d/victim --pages 8 --unmap
		timeout 60 $cmd || fail "$how failed"
	else
		pin_start v vmsplice $d/victim --pages 8 --unmap --unlink
	fi
	kill -0 $PIN_v || fail "$how: the holder went away"
	sync
	freed=$((before - $(used $d)))
	echo "$how: completed while 8 pages were pinned; $freed bytes freed"
	[ $freed -ge $min ] || fail "$how: the stock kernel kept the pinned blocks"
	fill_other $d
	pin_stop v
	got=$(pipe_first v)
	echo "$how: pipe returned $got (victim $A_HEX, other file $B_HEX)"
	if [ "$PL_FS" = xfs ] && [ $min -gt 0 ]; then
		[ "$got" = $B_HEX ] || fail "$how: xfs did not hand the pinned blocks to another file"
	fi
done
fs_reset $d
