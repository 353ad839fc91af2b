#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every policy knob is also a module parameter, in force from the moment
# the module is live: with "options pinledger ..." in /etc/modprobe.d and
# nothing written to sysfs, a pinned file's truncate is refused (global
# block) on xfs and times out (an ext4 override by filesystem UUID, wait
# with a bound) on ext4.  sysfs and /sys/module/.../parameters show the
# values; a bad value fails the load with EINVAL and a dmesg line naming
# the parameter, and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

pl_holder_load
uuid=$(blkid -s UUID -o value /dev/pmem0)
[ -n "$uuid" ] || fail "no UUID for /dev/pmem0"

# bad_param ARG WHAT: insmod with ARG fails with EINVAL, says WHAT in dmesg.
bad_param() {
	local out
	dmesg_mark
	out=$(insmod "$PL_KO" "$1" 2>&1) && { pl_unload; fail "insmod $1 succeeded"; }
	echo "$out" | grep -q 'Invalid argument\|Invalid parameters' ||
		fail "insmod $1: not EINVAL: $out"
	[ ! -d /sys/module/pinledger ] || fail "insmod $1: module left loaded"
	dmesg_since | grep "$2" >/dev/null || { dmesg_since; fail "insmod $1: no dmesg line with '$2'"; }
	echo "bad: $1 -> EINVAL, dmesg: $(dmesg_since | grep "$2" | head -1)"
}
bad_param policy=sometimes "policy: unknown policy"
bad_param wait_timeout_ms=-1 "wait_timeout_ms: want an integer"
bad_param revoke_signal=0 "revoke_signal: want an integer"
bad_param revoke_grace_ms=99999999 "revoke_grace_ms: want an integer"
# (A value with a space is quoted for the kernel, as modprobe.d does.)
bad_param "fs_policy=\"UUID=$uuid always\"" "fs_policy: want"
bad_param "fs_policy=\"UUID=not-a-uuid wait\"" "fs_policy: want"
bad_param "fs_policy=\"/no/such/dir block\"" "fs_policy: /no/such/dir: cannot look it up"
bad_param pagecache_unmap_policy=never "pagecache_unmap_policy: want allow or skip"
bad_param pagecache_clean_policy=never "pagecache_clean_policy: want report or redirty"

# A module directory of our own: the guest's /lib/modules is read-only.
mp=/tmp/modroot
mkdir -p "$mp/lib/modules/$PL_KVER/extra"
cp "$PL_KO" "$mp/lib/modules/$PL_KVER/extra/pinledger.ko"
cp /lib/modules/"$PL_KVER"/modules.builtin* /lib/modules/"$PL_KVER"/modules.order \
	"$mp/lib/modules/$PL_KVER/"
depmod -b "$mp" "$PL_KVER" || fail "depmod"
# PREEMPT_RT refuses redirty (EOPNOTSUPP, module/pagecache.c DOC): first
# check that a load asking for it fails and says why, then ask for report.
clean=redirty
if pl_rt; then
	echo "options pinledger pagecache_clean_policy=redirty" > /etc/modprobe.d/pinledger.conf
	! modprobe -d "$mp" pinledger 2>/dev/null || fail "rt: pagecache_clean_policy=redirty loaded"
	dmesg | tail -5 | grep -q "pagecache_clean_policy: redirty is not available on PREEMPT_RT" ||
		fail "rt: no dmesg line for the refused redirty"
	clean=report
fi
cat > /etc/modprobe.d/pinledger.conf <<EOF
options pinledger policy=block wait_timeout_ms=1000 revoke_signal=12 revoke_grace_ms=700
options pinledger pagecache_unmap_policy=skip pagecache_clean_policy=$clean
options pinledger fs_policy="UUID=$uuid wait;7:5 revoke"
EOF
trap 'rm -f /etc/modprobe.d/pinledger.conf; pl_unload' EXIT
modprobe -d "$mp" pinledger || fail "modprobe pinledger"

expect_eq "policy" "$(cat $PL_SYSFS/policy)" block
expect_eq "wait_timeout_ms" "$(cat $PL_SYSFS/wait_timeout_ms)" 1000
expect_eq "revoke_signal" "$(cat $PL_SYSFS/revoke_signal)" 12
expect_eq "revoke_grace_ms" "$(cat $PL_SYSFS/revoke_grace_ms)" 700
expect_eq "pagecache_unmap_policy" "$(cat $PL_SYSFS/pagecache_unmap_policy)" skip
expect_eq "pagecache_clean_policy" "$(cat $PL_SYSFS/pagecache_clean_policy)" $clean
expect_eq "fs_policy" "$(cat $PL_SYSFS/fs_policy | sort | tr '\n' ' ')" \
	"7:5 revoke UUID=$uuid wait "
expect_eq "parameters/policy" "$(cat /sys/module/pinledger/parameters/policy)" block
expect_eq "parameters/fs_policy" "$(cat /sys/module/pinledger/parameters/fs_policy)" \
	"UUID=$uuid wait,7:5 revoke"
echo "modprobe.d: every knob in force at load: $(cat /sys/module/pinledger/parameters/fs_policy)"

# Behaviour, nothing written to sysfs: xfs has the global policy (block).
fs_reset /mnt/xfsdax
victim_make /mnt/xfsdax/victim
pin_start x vmsplice /mnt/xfsdax/victim --pages 8 --unmap
out=$(truncate -s 0 /mnt/xfsdax/victim 2>&1) && fail "xfs: truncate succeeded"
echo "$out" | grep -q 'Device or resource busy' || fail "xfs: not EBUSY: $out"
expect_eq "xfs: size" "$(stat -c %s /mnt/xfsdax/victim)" 32768
pin_stop x
echo "xfs (global policy block from modprobe.d): $out"

# ext4, matched by its UUID: wait, bounded by wait_timeout_ms.
fs_reset /mnt/ext4dax
victim_make /mnt/ext4dax/victim
pin_start e vmsplice /mnt/ext4dax/victim --pages 8 --unmap
out=$(truncate -s 0 /mnt/ext4dax/victim 2>&1) && fail "ext4: truncate succeeded"
echo "$out" | grep -q 'timed out' || fail "ext4: not ETIMEDOUT: $out"
expect_eq "ext4: size" "$(stat -c %s /mnt/ext4dax/victim)" 32768
pin_stop e
echo "ext4 (UUID override wait, wait_timeout_ms 1000 from modprobe.d): $out"

# sysfs still changes them at run time; the parameter view follows.
echo wait > $PL_SYSFS/policy
expect_eq "parameters/policy after sysfs" "$(cat /sys/module/pinledger/parameters/policy)" wait
echo "UUID=$uuid default" > $PL_SYSFS/fs_policy
expect_eq "fs_policy after removal" "$(cat $PL_SYSFS/fs_policy)" "7:5 revoke"
fs_reset /mnt/xfsdax
fs_reset /mnt/ext4dax
