#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module loads and unloads cleanly: sysfs, debugfs and the trace
# system appear with it and are gone after rmmod; no kernel complaints.
. "$(dirname "$0")/lib.sh"

want_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$PL_ROOT/dkms.conf")
dmesg_mark
for round in 1 2 3; do
	pl_load
	expect_eq "sysfs version" "$(cat $PL_SYSFS/version)" "$want_version"
	feat=$(cat $PL_SYSFS/features)
	[ -d $PL_DEBUGFS ] || fail "no $PL_DEBUGFS"
	[ -r $PL_DEBUGFS/counters ] || fail "no debugfs counters"
	[ -d $PL_TRACEFS/events/pinledger ] || fail "no pinledger trace system"
	[ -d $PL_TRACEFS/events/pinledger/dax_final_truncate ] || fail "no dax_final_truncate event"
	rmmod pinledger
	[ ! -e $PL_SYSFS ] || fail "$PL_SYSFS left after rmmod"
	[ ! -e $PL_DEBUGFS ] || fail "$PL_DEBUGFS left after rmmod"
	[ ! -e $PL_TRACEFS/events/pinledger ] || fail "trace system left after rmmod"
done
echo "features: $feat"
log=$(dmesg_since)
echo "$log" | grep -q "pinledger: version $want_version loaded; features:" ||
	fail "no load line in dmesg"
echo "$log" | grep -q "pinledger: unloaded" || fail "no unload line in dmesg"
bad=$(echo "$log" | dmesg_bad)
[ -z "$bad" ] || fail "kernel complained: $bad"
# The IBT feature must match the kernel's config.
if grep -q '^CONFIG_X86_KERNEL_IBT=y' "/lib/modules/$PL_KVER/build/.config" 2>/dev/null ||
   grep -q '^CONFIG_X86_KERNEL_IBT=y' "$PL_ROOT/.cache/$PL_KVER/build/.config"; then
	[[ " $feat " == *" ibt "* ]] || fail "IBT kernel, but features lack ibt"
fi
