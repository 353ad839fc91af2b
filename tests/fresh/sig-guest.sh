#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sig-guest.sh KO - inside a guest booted with module.sig_enforce=1: the
# kernel refuses the unsigned module KO (ENOKEY or EKEYREJECTED).
set -uo pipefail
grep -qw 'module.sig_enforce=1' /proc/cmdline || { echo "FAIL: not booted with module.sig_enforce=1"; exit 1; }
echo "sig_enforce: $(cat /sys/module/module/parameters/sig_enforce)"
out=$(insmod "$1" 2>&1) && { rmmod pinledger; echo "FAIL: unsigned $1 was loaded"; exit 1; }
echo "insmod $1: $out"
dmesg | grep -i 'pinledger\|module verification\|Loading of unsigned' | tail -3
grep -qE 'Key was rejected|Required key not available' <<< "$out" ||
	{ echo "FAIL: refused for another reason"; exit 1; }
[ -n "$(modinfo -F signer "$1")" ] && { echo "FAIL: $1 is signed"; exit 1; }
echo "unsigned build refused under sig_enforce"
