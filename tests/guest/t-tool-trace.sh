#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# fs: each
# pinledger trace: the module's events, decoded, one per line, with the
# owner, flags (a release knows PIN or GET only), file and mount point; --event selects events; the private
# tracefs instance is gone afterwards.
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
d=$(pl_dir)
f=$d/trace.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=4 status=none
ino=$(stat -c %i $f)
dev=$(stat -c '%Hd:%Ld' $d)

rm -f /tmp/trace.out /tmp/trace.err	# the [lockdown] run's predecessor
# Ended by SIGINT once every event happened (the tool prints what its
# buffer still holds on the way out); --duration only bounds it.
$PLT trace --duration 300 > /tmp/trace.out 2> /tmp/trace.err & tp=$!
for i in $(seq 200); do grep -qs '^Tracing' /tmp/trace.err && break; sleep 0.05; done
pin_start h hold $f --pages 4 --write
echo block > $PL_SYSFS/policy
truncate -s 0 $f 2>/dev/null && fail "truncate under block succeeded"
echo wait > $PL_SYSFS/policy
pin_stop h
# A counter read absorbs the journals: on PREEMPT_RT that is where pin
# events come from (elsewhere they are already out).
cat $PL_SYSFS/counters/live_pins > /dev/null
kill -INT $tp
wait $tp || fail "trace exited $?: $(cat /tmp/trace.err)"
grep -v " anon\| dev=0:0 " /tmp/trace.out | head -20
pat="[^ ]+-$PIN_h +pin_acquire +pfn=0x[0-9a-f]+ dev=$dev ino=$ino index=[0-3] tgid=$PIN_h flags=PIN\|WRITE callsite=take\+.*fs=$d$"
expect_eq "pin_acquire lines" "$(grep -Ec "$pat" /tmp/trace.out)" 4
pat="pin_release +pfn=0x[0-9a-f]+ dev=$dev ino=$ino index=[0-3] tgid=$PIN_h flags=PIN .* lifetime_ns=[1-9][0-9]* reconciled=0 fs=$d$"
expect_eq "pin_release lines" "$(grep -Ec "$pat" /tmp/trace.out)" 4
grep -Eq "[^ ]+-[0-9]+ +layout_begin +id=[0-9]+ dev=$dev ino=$ino .*policy=block pinned_pages=4 first_owner=$PIN_h" /tmp/trace.out ||
	fail "no decoded layout_begin"
grep -Eq "layout_end +id=[0-9]+ dev=$dev ino=$ino .*outcome=EBUSY ret=-16" /tmp/trace.out ||
	fail "no decoded layout_end"
ls /sys/kernel/tracing/instances | grep -q pinledger && fail "tracefs instance left behind"

# --event and --count: stops after N events of that kind.
# --duration ends it by itself.
timeout 60 $PLT trace --duration 1 > /dev/null 2>&1 || fail "trace --duration 1 did not end by itself"

rm -f /tmp/trace2.out /tmp/trace2.err
timeout 30 $PLT trace --event pin_release --count 2 > /tmp/trace2.out 2> /tmp/trace2.err & tp=$!
for i in $(seq 200); do grep -qs '^Tracing' /tmp/trace2.err && break; sleep 0.05; done
pin_start h hold $f --pages 4
pin_stop h
wait $tp || fail "trace --count did not end"
cat /tmp/trace2.out
expect_eq "--event pin_release --count 2" "$(grep -c pin_release /tmp/trace2.out)" 2
grep -q pin_acquire /tmp/trace2.out && fail "--event pin_release showed pin_acquire"
rm -f $f
