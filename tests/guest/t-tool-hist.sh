#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# fs: each
# pinledger hist (BPF on the module's raw tracepoints, no BTF needed):
# after pins of the holder and of vmsplice are released and a truncate
# waited for them, the histograms are non-empty and counted right, by comm,
# by flags and by filesystem.
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
d=$(pl_dir)
f=$d/hist.$$
pl_holder_load
pl_load

# hist_run BY: run one scenario under "pinledger hist --by BY"; output in
# /tmp/hist.BY.
hist_run() {
	dd if=/dev/zero of=$f bs=4k count=8 status=none
	rm -f /tmp/hist.$1 /tmp/hist.$1.err	# the [lockdown] run's predecessor
	$PLT hist --by $1 > /tmp/hist.$1 2> /tmp/hist.$1.err & hp=$!
	for i in $(seq 200); do
		grep -qs '^Tracing' /tmp/hist.$1.err && break
		kill -0 $hp 2>/dev/null || fail "hist --by $1: $(cat /tmp/hist.$1.err)"
		sleep 0.05
	done
	pin_start h hold $f --pages 8 --write
	pin_start v vmsplice $f --pages 4
	truncate -s 0 $f & tp=$!
	sleep 1
	pin_stop h
	pin_stop v
	wait $tp || fail "truncate failed"
	kill -INT $hp
	wait $hp || fail "hist --by $1 exited $?: $(cat /tmp/hist.$1.err)"
	rm -f $f
}

# count_of TITLE_RE FILE: the count after "TITLE: " in a histogram title.
count_of() {
	awk -v t="$1: " 'index($0, t) == 1 { split(substr($0, length(t) + 1), a, ","); print a[1] }' "$2"
}

hist_run comm
cat /tmp/hist.comm
# 12 and the exec argument pages of the pinctl processes (reconciled).
expect_gt "lifetimes of pinctl's pins" "$(count_of 'pin lifetime, comm = pinctl' /tmp/hist.comm)" 11
expect_eq "layout waits of truncate" "$(count_of 'layout change wait, comm = truncate' /tmp/hist.comm)" 1
# Every histogram has at least one bar.
awk '/^pin lifetime|^layout change wait/ { if (t && !bar) exit 1; t = 1; bar = 0 }
     /\|\*+ *\|$/ { bar = 1 } END { exit !(t && bar) }' /tmp/hist.comm ||
	fail "a histogram without a bar"
# The truncate waited about a second: its bar is in 524288..2097151 us.
grep -A30 '^layout change wait, comm = truncate' /tmp/hist.comm |
	grep -Eq '^ +(524288|1048576) -> [0-9]+ +: 1 ' || fail "layout wait not near 1 s"

hist_run flags
cat /tmp/hist.flags
# A release knows PIN or GET, not WRITE.  GET: vmsplice's 4, and the
# exec argument pages of the processes (reconciled).
expect_eq "PIN lifetimes" "$(count_of 'pin lifetime, flags = PIN' /tmp/hist.flags)" 8
expect_gt "GET lifetimes" "$(count_of 'pin lifetime, flags = GET' /tmp/hist.flags)" 3
expect_eq "layout waits" "$(count_of 'layout change wait' /tmp/hist.flags)" 1

hist_run fs
cat /tmp/hist.fs
dev=$(stat -c '%Hd:%Ld' $d)
expect_eq "lifetimes on $d" "$(count_of "pin lifetime, fs = $d ($dev)" /tmp/hist.fs)" 12
expect_eq "layout waits on $d" "$(count_of "layout change wait, fs = $d ($dev)" /tmp/hist.fs)" 1

# --interval/--count: periodic output, then exit by itself.
timeout 20 $PLT hist --interval 0.5 --count 2 -m > /tmp/hist.int 2>&1 || fail "hist --interval --count"
expect_eq "interval outputs" "$(grep -c 'no pin was released\|^pin lifetime' /tmp/hist.int)" 2
