#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-guest.sh - pinledger's benchmarks (issue 7), inside one guest.
#
# Measures each figure on the stock kernel ("stock": pinledger not loaded)
# and with pinledger loaded ("module", default parameters, policy wait),
# REPS times, alternating the order each repetition (stock,module, then
# module,stock, ...) so that slow drift hits both phases alike.  The test
# pin holder stays loaded throughout.
#
#   P1 pin+unpin in the test pin holder's BENCH loop (512-page batches,
#      pin_user_pages_fast or get_user_pages_fast), ns per page, on
#      anonymous memory (4 KiB folios; and THP) and on an ext4 DAX file
#   P2 fio O_DIRECT 4 KiB random reads from null_blk (irqmode=0, not
#      memory backed) into a buffer mapped MAP_SHARED from an ext4 DAX
#      file; psync and io_uring (iodepth 4); IOPS
#   P3 ftruncate(0) of 100 and 10,000 4-page DAX files, mapped and
#      faulted in, no pins; ms for all of them (ext4; and xfs, 100)
#   P4 ledger bytes per pinned page, 1M anonymous pages pinned: the
#      ledger's ledger_bytes counter; the pinledger_page slab growth plus
#      the bucket table; the MemFree drop minus the stock kernel's
#      (in-holder page arrays) plus the bucket table
#   P5 (module only) last unpin -> blocked truncate returns, per sample:
#      from the pin_release event of the last pin to the truncating
#      process's trace marker right after ftruncate() returned (and to
#      layout_end), trace clock "mono"; as scheduled, and with both
#      tasks bound to CPU 0 ("cpu0-"); with two yardsticks measured
#      without pinledger: the guest's pipe wake-up latency ("pipe-wake")
#      and the time of the same truncate with nothing pinned
#      ("truncate-unpinned")
#   P6 pin+unpin ns per page (as P1) with 1K vs 1M pages pinned (live
#      ledger entries), samples taken 1K, 1M, 1K again
#   With P1/P2, the variants pin-anon, get-anon, pin-dax, psync and
#   io_uring are also measured with the module's long-lived pin
#   detection on (longlived_ms=1000, stacks off: "<variant>+ll") and with
#   pinner stacks saved (capture_stacks=1: "<variant>+stacks"); their
#   stock phase is the plain variant's sample, emitted under each name.
#
# Usage (inside a guest, root): scripts/bench-guest.sh [--smoke] [--reps N]
#	[--reps46 N] [--figures "P1 P2 ..."] [--floor]
#   --reps    repetitions of P1-P3 (6); --reps46: of P4/P6 (5, the 1M pin
#             takes ~25 s)
#   --smoke   tiny sizes, 1 repetition (a check that it all still runs)
#   --floor   P1/P2 also in a third phase, "floor": pinledger unloaded and
#             tests/floor/plfloor.ko loaded, the probes any exact capture
#             needs with the least work per page (what the targets can
#             be held against; see that file).  PL_FLOOR_ARGS: its
#             module parameters (work=, probe=)
# Output: progress on stderr; one line per sample on stdout:
#   S<TAB>figure<TAB>variant<TAB>phase<TAB>rep<TAB>value<TAB>unit
# A guest needs --mem 6144 for the full P4/P6 (4 GiB pinned).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/guest/lib.sh
. "$ROOT/tests/guest/lib.sh"
PLBENCH=$ROOT/build/${PINLEDGER_RELEASE:+$PINLEDGER_RELEASE/}tools/plbench
TRACE=$PL_TRACEFS

SMOKE='' REPS=6 REPS46=5 FIGURES="P1 P2 P3 P4 P6 P5" FLOOR=''
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=1; REPS=1; REPS46=1 ;;
	--reps) REPS=$2; shift ;;
	--reps46) REPS46=$2; shift ;;
	--figures) FIGURES=$2; shift ;;
	--floor) FLOOR=1 ;;
	*) echo "usage: $0 [--smoke] [--reps N] [--figures LIST] [--floor]" >&2; exit 2 ;;
	esac
	shift
done

if [ -n "$SMOKE" ]; then
	P1_LOOPS=2 P2_SECS=250ms P2_RAMP=0 P3_SIZES="10 100" P3_XFS=10
	P46_PAGES=4096 P46_SMALL=1024 P6_SAMPLES=2 P6_LOOPS=2 P5_SAMPLES=2
else
	P1_LOOPS=200 P2_SECS=2 P2_RAMP=0.5 P3_SIZES="100 10000" P3_XFS=100
	P46_PAGES=1048576 P46_SMALL=1024 P6_SAMPLES=20 P6_LOOPS=20 P5_SAMPLES=25
fi
EXT4=${PL_MNT[ext4]}
XFS=${PL_MNT[xfs]}

log() { echo "bench: $*" >&2; }
has() { [[ " $FIGURES " == *" $1 "* ]]; }

# Variants also measured with the long-lived detection / stacks knobs.
ORIGIN_VARIANTS=" pin-anon get-anon pin-dax psync io_uring "
SUFFIX=''	# "+ll" or "+stacks" while those knobs are on

# emit FIG VARIANT PHASE REP VALUE UNIT: one sample.
emit() {
	printf 'S\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2$SUFFIX" "${@:3}"
	# The stock phase stands for the knob variants too.
	if [ "$3" = stock ] && [[ "$ORIGIN_VARIANTS" == *" $2 "* ]] &&
	   { [ "$1" = P1 ] || [ "$1" = P2 ]; }; then
		printf 'S\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2+ll" "${@:3}"
		printf 'S\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2+stacks" "${@:3}"
	fi
}

# origin_phase: P1/P2's knob variants, module loaded.
origin_phase() {
	local rep=$1
	echo 1000 > "$PL_SYSFS/longlived_ms"
	SUFFIX=+ll
	has P1 && p1 module "$rep" only
	has P2 && p2 module "$rep"
	echo 0 > "$PL_SYSFS/longlived_ms"
	echo 1 > "$PL_SYSFS/capture_stacks"
	SUFFIX=+stacks
	has P1 && p1 module "$rep" only
	has P2 && p2 module "$rep"
	echo 0 > "$PL_SYSFS/capture_stacks"
	SUFFIX=''
}

# phase_enter PHASE: load or unload pinledger (and the floor module).
phase_enter() {
	[ "$1" = floor ] || [ ! -d /sys/module/plfloor ] || rmmod plfloor
	case $1 in
	module) [ -d /sys/module/pinledger ] || pl_load ;;
	floor)
		pl_unload
		# shellcheck disable=SC2086 # PL_FLOOR_ARGS: module parameters
		[ -d /sys/module/plfloor ] ||
			insmod "$PL_ROOT/build/$PL_KVER/floor/plfloor.ko" ${PL_FLOOR_ARGS:-} ||
			fail "cannot load plfloor.ko (make KVER=$PL_KVER floor)"
		;;
	*) pl_unload ;;
	esac
}

p1() {
	local phase=$1 rep=$2 only=${3:-} v target args ns
	for v in pin-anon get-anon pin-anon-thp pin-dax get-dax; do
		[ -z "$only" ] || [[ "$ORIGIN_VARIANTS" == *" $v "* ]] || continue
		target=anon args=()
		case $v in
		*-dax) target=$EXT4/plbench-p1 ;;
		esac
		case $v in
		get-*) args+=(--get) ;;
		esac
		case $v in
		*-thp) args+=(--thp) ;;
		esac
		ns=$("$PLBENCH" pin "$target" --samples 1 --loops "$P1_LOOPS" "${args[@]}" |
		     sed -n 's/^pin ns_per_page=//p')
		emit P1 "$v" "$phase" "$rep" "$ns" ns/page
	done
	rm -f "$EXT4/plbench-p1"
}

p2() {
	local phase=$1 rep=$2 eng out iops
	for eng in psync io_uring; do
		out=$(fio --name=p2 --filename=/dev/nullb0 --direct=1 --rw=randread \
			--bs=4k --ioengine=$eng --iodepth=$([ $eng = psync ] && echo 1 || echo 4) \
			--iomem=mmapshared:"$EXT4/plbench-fiobuf" --size=1G \
			--ramp_time="$P2_RAMP" --runtime="$P2_SECS" --time_based --minimal 2>&1) ||
			fail "fio $eng: $out"
		# Terse v3: field 5 error, field 8 read IOPS.
		iops=$(echo "$out" | awk -F';' '$1 == 3 && $5 == 0 { print $8 }')
		[ -n "$iops" ] || fail "fio $eng: $out"
		emit P2 "$eng" "$phase" "$rep" "$iops" IOPS
	done
}

p3() {
	local phase=$1 rep=$2 n ns
	for n in $P3_SIZES; do
		ns=$("$PLBENCH" truncs "$EXT4" "$n" | sed -n 's/.* ns=//p')
		emit P3 "ext4-$n" "$phase" "$rep" "$(echo "scale=3; $ns / 1000000" | bc)" ms
	done
	ns=$("$PLBENCH" truncs "$XFS" "$P3_XFS" | sed -n 's/.* ns=//p')
	emit P3 "xfs-$P3_XFS" "$phase" "$rep" "$(echo "scale=3; $ns / 1000000" | bc)" ms
}

# P4 and P6 share one run of "plbench ledger" (one 1M-page pin).
STOCK_MEMFREE=''
p46() {
	local phase=$1 rep=$2 out line pages memfree slab cache order lb table
	out=$("$PLBENCH" ledger --pages "$P46_PAGES" --small "$P46_SMALL" \
		--samples "$P6_SAMPLES" --loops "$P6_LOOPS")
	while read -r line; do
		case $line in
		p6*)
			set -- $line
			emit P6 "live-${2#live=}" "$phase" "$rep" "${3#ns_per_page=}" ns/page
			;;
		esac
	done <<< "$out"
	line=$(echo "$out" | grep '^p4 ')
	pages=$(echo "$line" | sed 's/.* pages=\([0-9]*\).*/\1/')
	memfree=$(echo "$line" | sed 's/.* memfree=\(-*[0-9]*\).*/\1/')
	slab=$(echo "$line" | sed 's/.* cache_slabs=\(-*[0-9]*\).*/\1/')
	order=$(echo "$line" | sed 's/.* cache_order=\(-*[0-9]*\).*/\1/')
	lb=$(echo "$line" | sed 's/.* ledger_bytes=\(-*[0-9]*\).*/\1/')
	emit P4 memfree-drop "$phase" "$rep" "$memfree" bytes
	if [ "$phase" = stock ]; then
		STOCK_MEMFREE=$memfree
		return
	fi
	table=$(( (1 << $(cat /sys/module/pinledger/parameters/ledger_buckets_log2)) * 8 ))
	emit P4 counter "$phase" "$rep" "$(echo "scale=2; $lb / $pages" | bc)" bytes/page
	emit P4 slab "$phase" "$rep" \
		"$(echo "scale=2; ($slab * (4096 * 2 ^ $order) + $table) / $pages" | bc)" bytes/page
	[ -n "$STOCK_MEMFREE" ] &&
		emit P4 memfree "$phase" "$rep" \
			"$(echo "scale=2; ($memfree - $STOCK_MEMFREE + $table) / $pages" | bc)" bytes/page
	return 0
}

# trace_ts EVENT [MATCH]: timestamp (s) of the last EVENT line in the
# trace that contains the string MATCH.
trace_ts() {
	awk -v ev="$1:" -v m="${2:-}" 'index($0, m) {
		for (i = 1; i < NF; i++) if ($(i + 1) == ev) t = $i }
		END { sub(/:$/, "", t); print t }' "$TRACE/trace"
}

# p5_yardsticks: without pinledger, the guest's pipe wake-up latency and
# how long the same 8-page truncate takes with nothing pinned or mapped.
p5_yardsticks() {
	local ns i f=$EXT4/plbench-p5
	pl_unload
	"$PLBENCH" wake --samples "$P5_SAMPLES" | sed -n 's/^wake ns=//p' |
		while read -r ns; do
			emit P5 pipe-wake stock 1 "$(echo "scale=1; $ns / 1000" | bc)" us
		done
	for i in $(seq "$P5_SAMPLES"); do
		dd if=/dev/zero of="$f" bs=4k count=8 status=none
		ns=$("$PLBENCH" truncwait "$f" | sed -n 's/.* ns=//p')
		emit P5 truncate-unpinned stock "$i" "$(echo "scale=1; $ns / 1000" | bc)" us
	done
	rm -f "$f"
}

# p5 PREFIX [CPUS]: P5 samples; with CPUS, this shell and so the holder
# and the truncating task are bound to CPUS (the kick worker runs where the
# release happens).
p5() {
	local pfx=$1 cpus=${2:-} i f tw rel end ret ino
	[ -n "$cpus" ] && taskset -pc "$cpus" $$ > /dev/null
	# A fresh ledger: no stale references whose reconciliation would
	# add pin_release events of other pages.
	pl_unload
	phase_enter module
	echo wait > "$PL_SYSFS/policy"
	echo 0 > "$TRACE/tracing_on"
	echo mono > "$TRACE/trace_clock"
	for e in pin_release layout_begin layout_end; do
		echo 1 > "$TRACE/events/pinledger/$e/enable"
	done
	echo 1 > "$TRACE/tracing_on"
	for i in $(seq "$P5_SAMPLES"); do
		f=$EXT4/plbench-p5
		dd if=/dev/zero of="$f" bs=4k count=8 status=none
		ino=$(stat -c %i "$f")
		PINCTL=$PLBENCH pin_start p5 hold "$f" --pages 8
		echo > "$TRACE/trace"
		"$PLBENCH" truncwait "$f" > /tmp/plbench-tw 2>&1 &
		tw=$!
		for _ in $(seq 500); do
			grep -q 'layout_begin:' "$TRACE/trace" && break
			sleep 0.01
		done
		grep -q 'layout_begin:' "$TRACE/trace" || fail "P5: truncate did not block"
		# Unpin; the holder stays idle until the truncate is back.
		kill -TERM "$PIN_p5"
		wait "$tw" || fail "P5: truncwait: $(cat /tmp/plbench-tw)"
		pin_stop p5
		grep -q 'errno=0' /tmp/plbench-tw || fail "P5: truncate: $(cat /tmp/plbench-tw)"
		rel=$(trace_ts pin_release " ino=$ino ")
		end=$(trace_ts layout_end " ino=$ino ")
		ret=$(trace_ts tracing_mark_write)
		[ -n "$rel" ] && [ -n "$end" ] && [ -n "$ret" ] ||
			fail "P5: events missing: $(cat "$TRACE/trace")"
		emit P5 "${pfx}unpin-to-return" module "$i" "$(echo "($ret - $rel) * 1000000" | bc)" us
		emit P5 "${pfx}unpin-to-layout_end" module "$i" "$(echo "($end - $rel) * 1000000" | bc)" us
		rm -f "$f"
	done
	for e in pin_release layout_begin layout_end; do
		echo 0 > "$TRACE/events/pinledger/$e/enable"
	done
	echo > "$TRACE/trace"
	# Leave tracing as found: on, default clock.
	echo local > "$TRACE/trace_clock"
	echo 1 > "$TRACE/tracing_on"
	[ -z "$cpus" ] || taskset -pc "0-$(($(nproc) - 1))" $$ > /dev/null
}

main() {
	local rep phase order t0
	pl_holder_load
	modprobe null_blk nr_devices=1 queue_mode=2 irqmode=0 gb=1 bs=4096 ||
		fail "cannot load null_blk"
	dd if=/dev/zero of="$EXT4/plbench-fiobuf" bs=1M count=1 status=none
	log "kernel $(uname -r), $REPS/$REPS46 repetitions${SMOKE:+ (smoke)}, figures $FIGURES"
	for rep in $(seq "$REPS"); do
		has P1 || has P2 || has P3 || break
		order="stock module${FLOOR:+ floor}"
		[ $((rep % 2)) -eq 0 ] && order="${FLOOR:+floor }module stock"
		for phase in $order; do
			phase_enter "$phase"
			t0=$(date +%s)
			has P1 && p1 "$phase" "$rep"
			has P2 && p2 "$phase" "$rep"
			[ "$phase" = floor ] || ! has P3 || p3 "$phase" "$rep"
			[ "$phase" = module ] && origin_phase "$rep"
			log "P1-P3 rep $rep $phase: $(( $(date +%s) - t0 )) s"
		done
	done
	for rep in $(seq "$REPS46"); do
		has P4 || has P6 || break
		order="stock module"
		[ $((rep % 2)) -eq 0 ] && order="module stock"
		for phase in $order; do
			phase_enter "$phase"
			t0=$(date +%s)
			p46 "$phase" "$rep"
			log "P4/P6 rep $rep $phase: $(( $(date +%s) - t0 )) s"
		done
	done
	if has P5; then
		t0=$(date +%s)
		p5_yardsticks
		p5 ''
		p5 cpu0- 0
		log "P5: $(( $(date +%s) - t0 )) s"
	fi
	phase_enter stock
	rm -f "$EXT4/plbench-fiobuf"
	rmmod null_blk
}

main
