#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# Policies: block fails at once with EBUSY and leaves the file intact; a
# wait timeout fails with ETIMEDOUT; a holder truncating its own pinned
# file gets EDEADLK; a waiting truncate is killable; revoke signals the
# holder, kills it after the grace period and completes; revoke does not
# signal a holder the caller may not signal (it waits instead); a
# per-filesystem override applies to its filesystem only.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
f=$d/victim
pl_holder_load
pl_load
fs_reset $d

victim_make $f
echo block > $PL_SYSFS/policy
pin_start v vmsplice $f --pages 8 --unmap
out=$(truncate -s 0 $f 2>&1) && fail "block: truncate succeeded"
echo "block: $out"
echo "$out" | grep -q 'Device or resource busy' || fail "block: not EBUSY"
expect_eq "block: size" "$(stat -c %s $f)" 32768
pin_stop v
[ "$(pipe_first v)" = $A_HEX ] || fail "block: data changed"
dmesg | grep "pinledger: layout change of .* refused (error -16)" >/dev/null || fail "block: no dmesg line"

echo wait > $PL_SYSFS/policy
echo 1000 > $PL_SYSFS/wait_timeout_ms
pin_start v vmsplice $f --pages 8 --unmap
out=$(truncate -s 0 $f 2>&1) && fail "timeout: truncate succeeded"
echo "timeout: $out"
echo "$out" | grep -q 'timed out' || fail "timeout: not ETIMEDOUT"
pin_stop v
echo 0 > $PL_SYSFS/wait_timeout_ms

pin_start s hold $f --pages 8 --truncate
grep -q "truncate errno=35" /tmp/pin.s || fail "self-held pin: $(cat /tmp/pin.s), want EDEADLK (35)"
echo "self-held: EDEADLK"
pin_stop s

pin_start v vmsplice $f --pages 8 --unmap
truncate -s 0 $f & tp=$!
sleep 1
kill -0 $tp || fail "kill: truncate did not wait"
kill -KILL $tp
wait $tp 2>/dev/null || true
expect_eq "kill: size after the killed truncate" "$(stat -c %s $f)" 32768
echo "killable: SIGKILL ended the wait, file intact"
pin_stop v

echo revoke > $PL_SYSFS/policy
echo 1000 > $PL_SYSFS/revoke_grace_ms
pin_start h hold $f --pages 8 --ignore-usr1
truncate -s 0 $f || fail "revoke: truncate failed"
rc=0; wait $PIN_h 2>/dev/null || rc=$?
expect_eq "revoke: holder exit status (SIGKILL)" $rc 137
expect_eq "revoke: size" "$(stat -c %s $f)" 0
echo "revoke: holder signalled, killed after the grace period; truncate completed"

victim_make $f
chmod 666 $f
pin_start h hold $f --pages 8 --ignore-usr1
setpriv --reuid=65534 --regid=65534 --clear-groups truncate -s 0 $f & tp=$!
sleep 2.5
kill -0 $PIN_h || fail "revoke: a holder the caller may not signal was killed"
kill -0 $tp || fail "revoke: unprivileged truncate did not wait"
pin_stop h
wait $tp || fail "revoke: truncate failed after release"
echo "revoke: holder of another user not signalled; truncate waited for it"
echo wait > $PL_SYSFS/policy

# Per-filesystem override: this filesystem blocks, the other one still
# waits (bounded, to keep the test short).
if [ "$PL_FS" = ext4 ]; then o=${PL_MNT[xfs]}/victim2; else o=${PL_MNT[ext4]}/victim2; fi
dev=$(mountpoint -d $d)
echo 1000 > $PL_SYSFS/wait_timeout_ms
echo "$d block" > $PL_SYSFS/fs_policy
expect_eq "override: fs_policy" "$(cat $PL_SYSFS/fs_policy)" "$dev block"
victim_make $f
victim_make $o
pin_start v vmsplice $f --pages 8 --unmap
pin_start w vmsplice $o --pages 8 --unmap
out=$(truncate -s 0 $f 2>&1) && fail "override: truncate succeeded"
echo "$out" | grep -q 'Device or resource busy' || fail "override: $out, want EBUSY"
out=$(truncate -s 0 $o 2>&1) && fail "override: truncate on the other filesystem succeeded"
echo "$out" | grep -q 'timed out' || fail "override applied to the other filesystem: $out"
echo "$dev default" > $PL_SYSFS/fs_policy
expect_eq "override removed: fs_policy" "$(cat $PL_SYSFS/fs_policy)" ""
out=$(truncate -s 0 $f 2>&1) && fail "override removed: truncate succeeded"
echo "$out" | grep -q 'timed out' || fail "override removed: $out, want the global wait"
echo "override: $d ($dev) blocked, the other filesystem waited; removed, both wait"
echo "/no/such/dir block" > $PL_SYSFS/fs_policy 2>/dev/null && fail "override: bad path accepted"
echo "$dev bogus" > $PL_SYSFS/fs_policy 2>/dev/null && fail "override: bad policy accepted"
expect_eq "override: after bad input" "$(cat $PL_SYSFS/fs_policy)" ""
pin_stop v
pin_stop w
echo 0 > $PL_SYSFS/wait_timeout_ms
rm -f $o
fs_reset $d
