#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-bench-smoke.sh - "make bench" still runs: scripts/bench-guest.sh
# --smoke --floor (tiny sizes, one repetition) yields every figure, with
# a numeric, positive sample for each phase it measures (P1 and P2 also
# in the probe-floor phase) - signed for the MemFree deltas (P4
# memfree-drop and memfree), which allocator noise can tip below zero on
# a 4096-page smoke run.  No timing is asserted: benchmarks are not
# tests.
. "$(dirname "$0")/lib.sh"

out=/tmp/bench-smoke.out
trap 'rmmod null_blk 2>/dev/null || true; rm -f /mnt/ext4dax/plbench-* /mnt/xfsdax/plbench-*' EXIT
"$PL_ROOT/scripts/bench-guest.sh" --smoke --floor > "$out" || fail "bench-guest.sh --smoke failed"
cat "$out"

# The first sample of each FIG/VARIANT/PHASE, from well-formed 7-field
# lines (bash builtins: ~50 lookups would cost ~150 processes in TCG).
declare -A sample
while IFS=$'\t' read -r tag fig var phase rep val unit extra; do
	[ "$tag" = S ] && [ -n "$unit" ] && [ -z "$extra" ] || continue
	[ -n "${sample[$fig/$var/$phase]+set}" ] || sample[$fig/$var/$phase]=$val
done < "$out"

# want FIG VARIANT PHASE [signed]: one sample line with a number > 0
# (with "signed": any number).
want() {
	local v=${sample[$1/$2/$3]-}
	[ -n "$v" ] || fail "no sample for $1 $2 $3"
	if [ "${4:-}" = signed ]; then
		[[ $v =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || fail "$1 $2 $3: not a number: '$v'"
		return 0
	fi
	[[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "$1 $2 $3: not a number: '$v'"
	[[ $v =~ [1-9] ]] || fail "$1 $2 $3: not positive: $v"
}

for phase in stock module; do
	for v in pin-anon get-anon pin-anon-thp pin-dax get-dax; do
		want P1 "$v" $phase
	done
	want P2 psync $phase
	want P2 io_uring $phase
	want P3 ext4-10 $phase
	want P3 ext4-100 $phase
	want P3 xfs-10 $phase
	want P6 live-1024 $phase
	want P6 live-4096 $phase
	want P4 memfree-drop $phase signed
done
for v in pin-anon get-anon pin-anon-thp pin-dax get-dax; do
	want P1 "$v" floor
done
want P2 psync floor
want P2 io_uring floor
want P4 counter module
want P4 slab module
want P4 memfree module signed
want P5 unpin-to-return module
want P5 unpin-to-layout_end module
want P5 cpu0-unpin-to-return module
want P5 cpu0-unpin-to-layout_end module
want P5 pipe-wake stock
want P5 truncate-unpinned stock
bad=$(grep -cvE '^(S	[^	]+	[^	]+	(stock|module|floor)	[0-9]+	[-0-9.]+	[^	]+)$' "$out" || true)
[ "$bad" -eq 0 ] || fail "$bad malformed lines on stdout"
[ ! -d /sys/module/pinledger ] || fail "pinledger left loaded"
[ ! -d /sys/module/plfloor ] || fail "plfloor left loaded"
echo "all figures produced"
