#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - "make demo": boot a stock Debian kernel with emulated pmem,
# load pinledger and show what it sees.
#
# Usage: scripts/demo.sh [KVER]   (default: the default kernel of this
#        machine's Debian release, else of the newest release)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/provision.sh
# shellcheck source=/dev/null
. "${PINLEDGER_CACHE:-$ROOT/.cache}/kernels.env"
host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
K=${1:-}
for kc in $KCHECK_REL; do
	[ -n "$K" ] || [ "${kc#*:}" != "$host" ] || K=${kc%%:*}
done
K=${K:-$KNEWEST}
scripts/rel-make.sh "$K" -s module pinholder tools 2>&1 |
	grep -vE 'Skipping BTF|^make: (Entering|Leaving)' || true
echo "== booting $K under QEMU (TCG) with two pmem regions"
exec scripts/guest.sh --kernel "$K" --timeout 600 -- scripts/demo-guest.sh
