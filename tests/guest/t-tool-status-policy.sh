#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# fs: each
# pinledger status and policy: status shows the module's version, policies
# and counters (--json too); policy sets the global policy, the wait
# timeout, revoke signal and grace, and a per-filesystem override by mount
# point and by MAJ:MIN, and removes it with "default".
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
d=$(pl_dir)
pl_holder_load
pl_load
f=$d/status.$$
dd if=/dev/zero of=$f bs=4k count=4 status=none
pin_start h hold $f --pages 4

out=$($PLT status)
echo "$out" | head -12
echo "$out" | grep -qx "version  *$(cat $PL_SYSFS/version)" || fail "status: version"
echo "$out" | grep -qx "policy  *wait" || fail "status: policy"
echo "$out" | grep -qx "  live_pins  *4" || fail "status: live_pins (want 4)"
json=$($PLT status --json)
echo "$json" | jq -e ".version == \"$(cat $PL_SYSFS/version)\" and .policy == \"wait\" and .counters.live_pins == 4 and .counters.acquired_pins >= 4" >/dev/null ||
	fail "status --json: $json"

$PLT policy revoke --timeout 1500 --signal 12 --grace 700 >/dev/null
expect_eq "policy" "$(cat $PL_SYSFS/policy)" revoke
expect_eq "wait_timeout_ms" "$(cat $PL_SYSFS/wait_timeout_ms)" 1500
expect_eq "revoke_signal" "$(cat $PL_SYSFS/revoke_signal)" 12
expect_eq "revoke_grace_ms" "$(cat $PL_SYSFS/revoke_grace_ms)" 700
$PLT policy wait --timeout 0 >/dev/null
expect_eq "policy back" "$(cat $PL_SYSFS/policy)" wait

dev=$(stat -c '%Hd:%Ld' $d)
out=$($PLT policy block --fs $d)
echo "$out"
grep -qx "$dev block" $PL_SYSFS/fs_policy || fail "--fs $d: $(cat $PL_SYSFS/fs_policy)"
echo "$out" | grep -q "fs_policy  *$dev $d block" || fail "policy output lacks the override"
# The override applies: a truncate of the pinned file fails at once.
truncate -s 0 $f 2>/dev/null && fail "truncate under an fs block override succeeded"
$PLT status | grep "^  $dev  *$d  *block" >/dev/null || fail "status lacks the override"
$PLT status --json | jq -e ".fs_policy[0].mount == \"$d\" and .fs_policy[0].policy == \"block\"" >/dev/null ||
	fail "status --json fs_policy"
$PLT policy revoke --fs $dev >/dev/null
grep -qx "$dev revoke" $PL_SYSFS/fs_policy || fail "--fs $dev: $(cat $PL_SYSFS/fs_policy)"
$PLT policy default --fs $d >/dev/null
expect_eq "fs_policy after default" "$(cat $PL_SYSFS/fs_policy)" ""
$PLT policy --pagecache-unmap skip --pagecache-clean redirty >/dev/null
expect_eq "pagecache_unmap_policy" "$(cat $PL_SYSFS/pagecache_unmap_policy)" skip
expect_eq "pagecache_clean_policy" "$(cat $PL_SYSFS/pagecache_clean_policy)" redirty
$PLT policy --pagecache-unmap allow --pagecache-clean report >/dev/null
pin_stop h
rm -f $f
