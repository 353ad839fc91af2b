#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every hook of the table resolves by name and installs on this kernel.
. "$(dirname "$0")/lib.sh"

pl_load
cat $PL_DEBUGFS/hooks
absent=$(awk '$3 != "installed" && $3 != "unavailable"' $PL_DEBUGFS/hooks)
[ -z "$absent" ] || fail "hooks not installed: $absent"
# Optional hooks are for functions only 6.12 has (folio_add_pin,
# memfd_pin_folios, and the folio unpin calls unpin_folio, unpin_folios,
# unpin_user_folio): a 6.12-like kernel must have them all.
if grep -q put_devmap_managed_folio_refs $PL_SYSFS/features; then
	un=$(awk '$3 == "unavailable"' $PL_DEBUGFS/hooks)
	[ -z "$un" ] || fail "6.12 kernel lacks optional hooks: $un"
else
	expect_eq "6.1 optional hooks unavailable" \
		"$(awk '$3 == "unavailable" { print $1 }' $PL_DEBUGFS/hooks | sort | tr '\n' ' ')" \
		"folio_add_pin memfd_pin_folios unpin_folio unpin_folios unpin_user_folio "
fi
# The ftrace hooks are visible to the kernel's own bookkeeping.
grep -q '^truncate_inode_pages_final' $PL_TRACEFS/enabled_functions ||
	fail "truncate_inode_pages_final not in enabled_functions"
# The redirecting hook carries SAVE_REGS and IPMODIFY ("R I").
grep -E '^dax_layout_busy_page_range .* R I' $PL_TRACEFS/enabled_functions ||
	fail "dax_layout_busy_page_range not in enabled_functions with R I"
grep -q 'ext4_break_layouts' /sys/kernel/debug/kprobes/list ||
	fail "ext4_break_layouts not in kprobes/list"
rmmod pinledger
! grep -q '^truncate_inode_pages_final' $PL_TRACEFS/enabled_functions ||
	fail "ftrace hook left after rmmod"
! grep -q '^dax_layout_busy_page_range' $PL_TRACEFS/enabled_functions ||
	fail "redirecting ftrace hook left after rmmod"
! grep -q 'ext4_break_layouts' /sys/kernel/debug/kprobes/list ||
	fail "kprobe left after rmmod"
