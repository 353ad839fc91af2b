#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - "make bench": pinledger's cost next to the stock kernel.
#
# Builds the module, the test pin holder and the tools, boots each stock
# kernel once (scripts/guest.sh, 6 GiB) and runs scripts/bench-guest.sh
# there: every figure without and with pinledger loaded, alternating.
# Then summarises (min/median/max per figure, variant and phase, ratio of
# medians, verdict against the issue 7 targets) and plots with gnuplot.
#
# Usage: scripts/bench.sh [--smoke] [--reps N] [--kernel KVER]...
#                         [--figures "P1 P2 ..."] [--plain] [--floor] [--out DIR]
#   --figures  only these figures (default: P1 P2 P3 P4 P6 P5)
#   --floor    P1 and P2 also with tests/floor/plfloor.ko instead of
#              pinledger: the probes any exact capture needs, with the
#              least work per page; reported as "(floor)" reference rows
#   --plain    measure every figure in plain TCG mode (2 vCPUs, guest
#              time follows the host clock) instead of the default
#              counted mode
#   --out DIR  where report.txt, results.tsv, samples.tsv and the PNGs
#              go (default docs/bench, the report kept in the repository;
#              build/bench-smoke with --smoke)
# Modes.  "counted" (default for P1-P4 and P6): the guest runs with QEMU
# instruction counting (scripts/guest.sh --icount, 1 vCPU), so its clock
# follows executed instructions, not host load, and ratios repeat between
# runs.  "plain": 2 vCPUs, guest time is host time.  P5 is always plain:
# it measures wake-up latency across CPUs, which icount does not model.
# Each kernel gets one guest per mode; the report says which mode each
# row used.
# Guest logs go to build/bench/.  Exit status is non-zero when a guest run
# fails or a figure has no samples; missed targets are reported, not
# failures (benchmarks are not tests).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
LOGS=$ROOT/build/bench
SMOKE='' REPS='' KERNELS='' OUT='' FIGURES="P1 P2 P3 P4 P6 P5" PLAIN='' FLOOR=''
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=--smoke ;;
	--reps) REPS=$2; shift ;;
	--kernel) KERNELS="$KERNELS $2"; shift ;;
	--figures) FIGURES=$2; shift ;;
	--plain) PLAIN=1 ;;
	--floor) FLOOR=--floor ;;
	--out) OUT=$2; shift ;;
	*) sed -n '/^# Usage:/,/^# Modes/s/^# //p' "$0" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$OUT" ] || OUT=$ROOT/docs/bench
[ -n "$SMOKE" ] && [ "$OUT" = "$ROOT/docs/bench" ] && OUT=$ROOT/build/bench-smoke
# Figures per mode.
COUNTED='' PLAINF=''
for f in $FIGURES; do
	if [ -z "$PLAIN" ] && [ "$f" != P5 ]; then
		COUNTED="$COUNTED $f"
	else
		PLAINF="$PLAINF $f"
	fi
done
COUNTED=${COUNTED# } PLAINF=${PLAINF# }

T0=$(date +%s)
scripts/provision.sh
# shellcheck source=/dev/null
. "$CACHE/kernels.env"
[ -n "$KERNELS" ] || KERNELS=$KCHECK
for k in $KERNELS; do
	# The tools the guest side uses, for the kernel's release.
	r=$(cat "$CACHE/$k/.release" 2>/dev/null || :)
	PINLEDGER_CACHE=$CACHE scripts/rel-make.sh "$k" -s module pinholder ${FLOOR:+floor} \
		"$ROOT/build/${r:+$r/}tools/pinctl" "$ROOT/build/${r:+$r/}tools/plbench"
done

# run_guest KVER MODE FIGURES: one guest, its samples appended (with MODE).
run_guest() {
	local k=$1 mode=$2 figs=$3 t rc=0 log=$LOGS/$1.$2.log
	local args=(--kernel "$k" --mem 6144 --timeout 3000)
	[ "$mode" = counted ] && args+=(--icount)
	echo "bench: $k: booting, $mode mode, figures $figs (both phases)" >&2
	t=$(date +%s)
	scripts/guest.sh "${args[@]}" -- \
		scripts/bench-guest.sh $SMOKE ${REPS:+--reps $REPS} --figures "$figs" \
		$([ "$mode" = counted ] && echo "$FLOOR") \
		> "$log" 2>&1 || rc=$?
	grep '^bench: ' "$log" >&2 || true
	if [ $rc -ne 0 ]; then
		echo "bench: $k: $mode guest run failed (exit $rc), log: $log" >&2
		tail -20 "$log" >&2
		exit 1
	fi
	awk -F'\t' -v OFS='\t' -v k="$k" -v m="$mode" \
		'$1 == "S" && NF == 7 { $1 = k; print $0, m }' "$log" >> "$SAMPLES"
	echo "bench: $k: $mode run done in $(( $(date +%s) - t )) s" >&2
}

rm -rf "$LOGS"
mkdir -p "$LOGS" "$OUT"
SAMPLES=$OUT/samples.tsv
printf 'kernel\tfigure\tvariant\tphase\trep\tvalue\tunit\tmode\n' > "$SAMPLES"
for k in $KERNELS; do
	[ -z "$COUNTED" ] || run_guest "$k" counted "$COUNTED"
	[ -z "$PLAINF" ] || run_guest "$k" plain "$PLAINF"
done

# ---- summary -------------------------------------------------------------
# results.tsv: one row per kernel, figure, variant and phase with n, min,
# median, max; then one "verdict" row per kernel, figure and variant.
RESULTS=$OUT/results.tsv
sort -t"$(printf '\t')" -k1,1 -k2,2 -k3,3 -k4,4 -k6,6g <(tail -n +2 "$SAMPLES") |
awk -F'\t' -v OFS='\t' '
	function flush() {
		if (key == "") return
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		print "stat", kk, ff, vv, pp, n, v[1], med, v[n], uu, mm
	}
	{ k = $1 FS $2 FS $3 FS $4
	  if (k != key) { flush(); key = k; n = 0; kk = $1; ff = $2; vv = $3; pp = $4; uu = $7; mm = $8 }
	  v[++n] = $6 }
	END { flush() }' > "$RESULTS.stats"

# verdict rows: kernel figure variant value unit target sense(ge|le) met
awk -F'\t' -v OFS='\t' '
	$1 == "stat" { med[$2, $3, $4, $5] = $8; unit[$2, $3, $4, $5] = $10; mode[$2, $3] = $11
		       if (!(($2, $3, $4) in seen)) { seen[$2, $3, $4] = 1; order[++no] = $2 SUBSEP $3 SUBSEP $4 } }
	function out(k, f, v, val, u, tgt, sense) {
		met = (sense == "ge") ? (val >= tgt) : (val <= tgt)
		printf "verdict\t%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t%s\t%s\n", k, f, v, val, u, tgt, sense, met ? "met" : "MISSED", mode[k, f]
	}
	END {
		for (i = 1; i <= no; i++) {
			split(order[i], a, SUBSEP); k = a[1]; f = a[2]; v = a[3]
			s = med[k, f, v, "stock"]; m = med[k, f, v, "module"]
			if (f == "P1" && s && m) out(k, f, v, s / m, "x stock throughput", 0.90, "ge")
			if (f == "P2" && s && m) out(k, f, v, m / s, "x stock IOPS", 0.97, "ge")
			if (f == "P3" && s && m) out(k, f, v, m / s, "x stock time", 1.05, "le")
			if (f == "P4" && v != "memfree-drop" && m) out(k, f, v, m, "bytes/page", 48, "le")
			if (f == "P5" && m) out(k, f, v, m / 1000, "ms median", 1, "le")
			# The probe floor (--floor): the most any design on these probes can reach.
			fl = med[k, f, v, "floor"]
			if (f == "P1" && s && fl)
				printf "info\t%s\t%s\t%s (floor)\t%.3f\tx stock throughput\t%s\n", k, f, v, s / fl, mode[k, f]
			if (f == "P2" && s && fl)
				printf "info\t%s\t%s\t%s (floor)\t%.3f\tx stock IOPS\t%s\n", k, f, v, fl / s, mode[k, f]
		}
		# P6: 1M (the largest live) vs 1K, per kernel and phase.
		for (key in med) {
			split(key, a, SUBSEP)
			if (a[2] != "P6" || a[3] == "live-1024") continue
			lo = med[a[1], "P6", "live-1024", a[4]]
			if (!lo) continue
			if (a[4] == "module")
				out(a[1], "P6", a[3] "/1024", med[key] / lo, "x pin+unpin cost", 1.2, "le")
			else
				printf "info\t%s\tP6\t%s/1024 (stock)\t%.3f\tx pin+unpin cost\t%s\n", a[1], a[3], med[key] / lo, mode[a[1], "P6"]
		}
	}' "$RESULTS.stats" > "$RESULTS.verdicts"
{
	printf 'row\tkernel\tfigure\tvariant\tphase\tn\tmin\tmedian\tmax\tunit\tmode\n'
	cat "$RESULTS.stats"
	printf 'row\tkernel\tfigure\tvariant\tvalue\tunit\ttarget\tsense\tverdict\tmode\n'
	sort -t"$(printf '\t')" -k2,2 -k3,3 -k4,4 "$RESULTS.verdicts"
} > "$RESULTS"
rm -f "$RESULTS.stats" "$RESULTS.verdicts"

# ---- report --------------------------------------------------------------
REPORT=$OUT/report.txt
ELAPSED=$(( $(date +%s) - T0 ))
{
	echo "pinledger benchmarks (make bench${SMOKE:+ --smoke}), $(date -u +%Y-%m-%d), pinledger $(git describe --always --dirty 2>/dev/null || echo unknown)"
	echo "Guests: QEMU TCG (no KVM), 6 GiB, on $(nproc) host cores; run took ${ELAPSED} s."
	echo "Modes (last column): counted = QEMU instruction counting (-icount shift=0,sleep=off),"
	echo "  1 vCPU: guest time is executed instructions (1 ns each), independent of host load;"
	echo "  plain = 2 vCPUs, guest time follows the host clock (busy host: noisy)."
	echo "Counted: ${COUNTED:-none}; plain: ${PLAINF:-none}."
	echo "TCG emulates every instruction: absolute times mean little; the ratios of"
	echo "medians measured in one guest run (stock and module phases interleaved) are what count."
	echo
	awk -F'\t' '
		$1 == "stat" {
			if ($2 != k) { printf "%s== %s ==\n%-4s %-22s %-7s %3s %12s %12s %12s  %-10s %s\n", (k == "" ? "" : "\n"), $2, "fig", "variant", "phase", "n", "min", "median", "max", "unit", "mode"; k = $2 }
			printf "%-4s %-22s %-7s %3d %12.2f %12.2f %12.2f  %-10s %s\n", $3, $4, $5, $6, $7, $8, $9, $10, $11
		}' "$RESULTS"
	echo
	echo "== verdicts (ratio of medians, or the median itself) =="
	printf '%-22s %-4s %-24s %10s  %-20s %-9s %-7s %s\n' kernel fig variant value unit target verdict mode
	awk -F'\t' '$1 == "verdict" {
		printf "%-22s %-4s %-24s %10.3f  %-20s %s%-7s %-7s %s\n", $2, $3, $4, $5, $6, ($8 == "ge" ? ">=" : "<="), $7, $9, $10 }
		$1 == "info" { printf "%-22s %-4s %-24s %10.3f  %-20s %-17s %s\n", $2, $3, $4, $5, $6, "(reference)", $7 }' \
		"$RESULTS"
	echo
	echo "P1: anon = private anonymous memory (4 KiB folios; -thp: one 2 MiB folio),"
	echo "    dax = MAP_SHARED mapping of an ext4 -o dax file; ratio = stock ns/page / module ns/page."
	echo "P2: fio randread 4 KiB O_DIRECT from null_blk (irqmode=0) into an ext4 DAX mmap buffer."
	echo "P1/P2 +ll: long-lived pin detection on (longlived_ms=1000, capture_stacks=0);"
	echo "    +stacks: every GUP call's stack saved (capture_stacks=1); stock phase shared."
	echo "P3: ftruncate(0) of N mapped 4-page DAX files, no pins; time for all N."
	echo "P4: counter = ledger_bytes / pinned pages (entries, owners, bucket table);"
	echo "    slab = pinledger_page slab growth + bucket table; memfree = MemFree (+ per-CPU"
	echo "    free lists) drop minus the stock phase's drop + bucket table."
	echo "P5: trace clock mono; last pin_release -> truncating process's trace marker"
	echo "    (unpin-to-return) and -> layout_end (unpin-to-layout_end); policy wait;"
	echo "    cpu0-: holder and truncating task bound to CPU 0; pipe-wake: the guest's own"
	echo "    wake-up latency (pipe write -> blocked reader returns), no pinledger;"
	echo "    truncate-unpinned: the same ftruncate() with nothing pinned, no pinledger."
	echo "P6: pin+unpin ns/page of a 512-page batch with 1024 vs 1048576 pages pinned."
	echo "(floor) rows, with --floor only: tests/floor/plfloor.ko loaded instead of pinledger:"
	echo "    a return probe per GUP call and an ftrace hook per unpin call that read each page"
	echo "    (and a FOLL_GET page's refcount), nothing else; no design on these probes beats it."
} > "$REPORT"

# ---- charts --------------------------------------------------------------
plot() {
	local dat=$OUT/.plot
	mkdir -p "$dat"
	# ratio.png: one panel per figure, bars per kernel/variant, target line.
	awk -F'\t' -v d="$dat" '$1 == "verdict" {
		kshort = $2; sub(/-amd64$/, "", kshort); sub(/\+deb12$/, "", kshort)
		printf "\"%s %s\" %s %s\n", kshort, $4, $5, $7 > (d "/" $3 ".dat") }' "$RESULTS"
	{
		echo "set terminal pngcairo size 1500,950 font ',9'"
		echo "set output '$OUT/ratio.png'"
		echo "set multiplot layout 2,3 title 'pinledger vs stock: ratio of medians per figure and kernel (red: target)'"
		echo "set style fill solid 0.6 border -1; set boxwidth 0.6; set grid ytics"
		echo "set termoption noenhanced; set xtics rotate by -35 left; set key off; set yrange [0:*]"
		for f in P1 P2 P3 P4 P5 P6; do
			case $f in
			P1) t="P1 pin+unpin throughput (x stock, >= 0.90)" ;;
			P2) t="P2 O_DIRECT IOPS (x stock, >= 0.97)" ;;
			P3) t="P3 truncate time (x stock, <= 1.05)" ;;
			P4) t="P4 ledger bytes/page (<= 48)" ;;
			P5) t="P5 unpin -> truncate returns (ms, <= 1)" ;;
			P6) t="P6 pin+unpin cost 1M/1K live (<= 1.2)" ;;
			esac
			echo "set title '$t'"
			if [ -s "$dat/$f.dat" ]; then
				echo "plot '$dat/$f.dat' using 0:2:xtic(1) with boxes lc rgb '#4a7ab0', '' using 0:3 with linespoints lw 2 lc rgb 'red' pt 0"
			else
				echo "set label 1 'no data' at graph 0.4,0.5; plot 0 notitle; unset label 1"
			fi
		done
		echo "unset multiplot"
	} > "$dat/ratio.gp"
	gnuplot "$dat/ratio.gp" 2>&1 | grep -v "empty y range" >&2 || true

	# p5.png / p6.png: the distributions, as sorted samples (empirical CDF).
	awk -F'\t' -v d="$dat" 'NR > 1 && ($2 == "P5" || ($2 == "P6" && $4 == "module")) {
		k = $1; sub(/-amd64$/, "", k); sub(/\+deb12$/, "", k)
		print $6 > (d "/" $2 "_" k "_" $3 ".raw") }' "$SAMPLES"
	for r in "$dat"/*.raw; do
		[ -e "$r" ] || continue
		sort -g "$r" | awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], i / NR }' > "${r%.raw}.cdf"
	done
	for f in P5 P6; do
		local plots=() c n
		for c in "$dat/${f}"_*.cdf; do
			[ -e "$c" ] || continue
			n=$(basename "$c" .cdf)
			n=${n#"${f}_"}
			plots+=("'$c' using 1:2 with steps lw 2 title '${n//_/ }'")
		done
		[ ${#plots[@]} -gt 0 ] || continue
		{
			echo "set terminal pngcairo size 900,560 font ',10'"
			echo "set output '$OUT/$(echo "$f" | tr P p).png'"
			echo "set grid; set key bottom right noenhanced; set ylabel 'fraction of samples'"
			if [ $f = P5 ]; then
				echo "set title 'P5: last unpin -> blocked truncate returns (policy wait), and the pipe wake-up yardstick'"
				echo "set xlabel 'microseconds (TCG guest), log scale'; set logscale x"
				echo "set arrow from 1000, graph 0 to 1000, graph 1 nohead lc rgb 'red' lw 2"
			else
				echo "set title 'P6: pin+unpin cost per page, 512-page batch, by live ledger entries (module)'"
				echo "set xlabel 'ns per page (TCG guest)'"
			fi
			echo "plot $(IFS=,; echo "${plots[*]}")"
		} > "$dat/$f.gp"
		gnuplot "$dat/$f.gp"
	done
	rm -rf "$dat"
}
plot

cat "$REPORT"
echo "bench: results in $OUT (report.txt, results.tsv, samples.tsv, ratio.png, p5.png, p6.png); $ELAPSED s" >&2
# Every figure asked for must have produced samples.
missing=''
for f in $FIGURES; do
	grep -q "	$f	" "$SAMPLES" || missing="$missing $f"
done
[ -z "$missing" ] || { echo "bench: no samples for:$missing" >&2; exit 1; }
