#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - "make demo": boot a stock Debian kernel with emulated pmem,
# load pinledger and show what it sees.
#
# Usage: scripts/demo.sh [KVER]   (default: the stock 6.12 kernel)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/provision.sh
# shellcheck source=/dev/null
. "${PINLEDGER_CACHE:-$ROOT/.cache}/kernels.env"
K=${1:-$K612}
make -s KVER="$K" module pinholder tools 2>&1 | grep -v 'Skipping BTF' || true
echo "== booting $K under QEMU (TCG) with two pmem regions"
exec scripts/guest.sh --kernel "$K" --timeout 600 -- scripts/demo-guest.sh
