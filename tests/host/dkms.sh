#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh - DKMS builds pinledger for the given stock kernels.
#
# Usage: tests/host/dkms.sh KVER...  (in the root of their release: scripts/rel-make.sh --run)
#
# Exports the tracked tree, "dkms add"s it, "dkms build"s it against each
# kernel's unpacked headers (--kernelsourcedir: the headers are not
# installed on this machine), copies each built module to
# build/dkms/<kver>/pinledger.ko for the guest test t-dkms-module, and
# removes the package from DKMS again.  Prints KTAP.
# DKMS's tree (/var/lib/dkms, /usr/src) is the machine's, not the clone's:
# runs from two clones at once (make check beside make check-debug) take
# turns on a lock, or one would remove the package under the other's build.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
exec 9> /run/lock/pinledger-dkms.lock
flock 9
TMP=$(mktemp -d)
trap 'dkms remove "pinledger/$VER" --all >/dev/null 2>&1; rm -rf "$TMP" "/usr/src/pinledger-$VER"' EXIT

echo "KTAP version 1"
echo "1..$((1 + $#))"
n=1
dkms remove "pinledger/$VER" --all >/dev/null 2>&1
rm -rf "/usr/src/pinledger-$VER"
mkdir "$TMP/pinledger-$VER"
git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$TMP/pinledger-$VER"
if out=$(dkms add "$TMP/pinledger-$VER" 2>&1); then
	echo "ok $n dkms add"
else
	echo "not ok $n dkms add"; echo "$out" | sed 's/^/# /'
fi
for k in "$@"; do
	n=$((n + 1))
	rm -rf "build/dkms/$k"
	if out=$(dkms build -m pinledger -v "$VER" -k "$k" \
		   --kernelsourcedir "$CACHE/$k/build" 2>&1) &&
	   ko=$(find "/var/lib/dkms/pinledger/$VER/$k" -name 'pinledger.ko*' | head -1) &&
	   [ -n "$ko" ]; then
		mkdir -p "build/dkms/$k"
		case $ko in
		*.xz) xz -dc "$ko" > "build/dkms/$k/pinledger.ko" ;;
		*)    cp "$ko" "build/dkms/$k/pinledger.ko" ;;
		esac
		echo "ok $n dkms build $k"
	else
		echo "not ok $n dkms build $k"
		echo "$out" | tail -20 | sed 's/^/# /'
	fi
done
