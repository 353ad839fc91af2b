#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deb-guest.sh - inside a guest booted on a kernel installed from Debian's
# packages (tests/fresh/t-deb-install.sh): "modprobe pinledger" loads the
# DKMS-built module with /etc/modprobe.d/pinledger.conf (policy=block) in
# force before anything writes sysfs, a pinned DAX file's truncate is
# refused with EBUSY, and pinledger-tools' /usr/sbin/pinledger reports it.
. "$(dirname "$0")/../guest/lib.sh"

modprobe pinledger || fail "modprobe pinledger"
trap 'rmmod pinledger 2>/dev/null || true' EXIT
ko=$(modinfo -F filename pinledger)
case $ko in
/lib/modules/$PL_KVER/updates/dkms/pinledger.ko*) ;;
*) fail "modprobe loaded $ko, not DKMS's module" ;;
esac
echo "loaded $ko (signer: $(modinfo -F signer pinledger))"
expect_eq "policy at load" "$(cat $PL_SYSFS/policy)" block
expect_eq "parameters/policy" "$(cat /sys/module/pinledger/parameters/policy)" block

f=/mnt/ext4dax/victim
victim_make $f
pin_start v vmsplice $f --pages 8 --unmap
out=$(truncate -s 0 $f 2>&1) && fail "truncate of a pinned file succeeded"
echo "truncate: $out"
echo "$out" | grep -q 'Device or resource busy' || fail "not EBUSY"
expect_eq "size" "$(stat -c %s $f)" 32768
st=$(/usr/sbin/pinledger status 2>&1) || fail "pinledger status: $st"
echo "$st"
grep -E 'policy *:? *block' <<< "$st" >/dev/null || fail "pinledger status does not say policy block"
pin_stop v
echo "modprobe.d policy in force from load; pinledger-tools work"
