#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every hook of the table resolves by name and installs on this kernel.
. "$(dirname "$0")/lib.sh"

pl_load
cat $PL_DEBUGFS/hooks
absent=$(awk '$3 != "installed"' $PL_DEBUGFS/hooks)
[ -z "$absent" ] || fail "hooks not installed: $absent"
# The ftrace hooks are visible to the kernel's own bookkeeping.
grep -q '^truncate_inode_pages_final' $PL_TRACEFS/enabled_functions ||
	fail "truncate_inode_pages_final not in enabled_functions"
grep -q 'dax_layout_busy_page_range' /sys/kernel/debug/kprobes/list ||
	fail "dax_layout_busy_page_range not in kprobes/list"
rmmod pinledger
! grep -q '^truncate_inode_pages_final' $PL_TRACEFS/enabled_functions ||
	fail "ftrace hook left after rmmod"
! grep -q 'dax_layout_busy_page_range' /sys/kernel/debug/kprobes/list ||
	fail "kprobe left after rmmod"
