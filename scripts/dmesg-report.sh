#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dmesg-report.sh - what a debug kernel's checkers said during a run.
#
# Usage: scripts/dmesg-report.sh KCONFIG DMESG...
#
# Prints which checkers the kernel was built with (KCONFIG, its .config)
# and which of them announced themselves at boot, then one line per kind
# of report with its count in the DMESG files (a guest's whole log, boot
# to power-off, so reports outside any test count too).  Reports between
# tests/guest/run.sh's "begin NAME may-warn" and "end NAME" marks are
# counted apart as expected: those tests show the stock kernel's own bug
# with pinledger unloaded.  Exit status 1 if
# any report was found, 2 on usage errors.
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 KCONFIG DMESG..." >&2; exit 2; }
config=$1
shift
for f in "$config" "$@"; do
	[ -r "$f" ] || { echo "dmesg-report: cannot read $f" >&2; exit 2; }
done

echo "built with: $(grep -oE '^CONFIG_(KASAN|KASAN_INLINE|KASAN_VMALLOC|PROVE_LOCKING|DEBUG_ATOMIC_SLEEP|DEBUG_OBJECTS|KFENCE|FAILSLAB|FAULT_INJECTION)=y' "$config" |
	sed 's/^CONFIG_//; s/=y$//' | tr '\n' ' ')"

# Boot lines by which each checker shows it is on.
declare -A on=(
	[KASAN]='KernelAddressSanitizer initialized'
	[lockdep]='Lock dependency validator'
	[KFENCE]='kfence: initialized'
)
line="active at boot:"
for k in KASAN lockdep KFENCE; do
	if grep -q "${on[$k]}" "$@"; then
		line="$line $k"
	else
		line="$line $k(not seen)"
	fi
done
echo "$line"

# Report kinds; the first pattern that matches a line classifies it.
kinds=(
	'KASAN:BUG: KASAN'
	'KFENCE:BUG: KFENCE'
	'lockdep:possible circular locking|inconsistent lock state|possible recursive locking|lock held when returning|suspicious RCU usage|bad unlock balance|held lock freed'
	'sleep-in-atomic:sleeping function called from invalid context|scheduling while atomic'
	'debugobjects:ODEBUG: '
	'hung-task:INFO: task .* blocked for more than'
	'rcu-stall:rcu_.*stall|rcu: INFO: .*detected stalls'
	'refcount:refcount_t: '
	'UBSAN:UBSAN: '
	'WARNING:WARNING: '
	'BUG/Oops:BUG: |Oops|general protection fault'
)
cat "$@" | awk -v spec="$(printf '%s\n' "${kinds[@]}")" '
	BEGIN {
		nk = split(spec, kv, "\n")
		for (i = 1; i <= nk; i++) {
			c = index(kv[i], ":")
			name[i] = substr(kv[i], 1, c - 1)
			pat[i] = substr(kv[i], c + 1)
			count[i] = 0
		}
	}
	/pinledger-test: begin .* may-warn$/ { expect = 1; next }
	/pinledger-test: end / { expect = 0; next }
	{
		for (i = 1; i <= nk; i++)
			if ($0 ~ pat[i]) {
				if (expect) {
					expected++
				} else {
					count[i]++
					total++
				}
				break
			}
	}
	END {
		for (i = 1; i <= nk; i++)
			printf "%-16s %d\n", name[i], count[i]
		printf "expected         %d (inside may-warn tests: a stock kernel'"'"'s own bug shown with pinledger unloaded)\n", expected
		printf "reports: %d\n", total
		exit (total > 0)
	}'
