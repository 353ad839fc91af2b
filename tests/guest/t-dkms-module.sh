#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module DKMS built on the host (tests/host/dkms.sh) loads, reports
# its version, hooks everything and unloads.
. "$(dirname "$0")/lib.sh"

ko=$PL_ROOT/build/dkms/$PL_KVER/pinledger.ko
[ -f "$ko" ] || fail "no DKMS-built module at $ko (tests/host/dkms.sh failed?)"
modinfo "$ko" | grep -E '^(version|vermagic)'
vermagic=$(modinfo -F vermagic "$ko")
[[ $vermagic == "$PL_KVER "* ]] || fail "vermagic '$vermagic' is not for $PL_KVER"
insmod "$ko"
want=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$PL_ROOT/dkms.conf")
expect_eq "version" "$(cat $PL_SYSFS/version)" "$want"
absent=$(awk '$3 != "installed" && $3 != "unavailable"' $PL_DEBUGFS/hooks)
[ -z "$absent" ] || fail "hooks not installed: $absent"
rmmod pinledger
