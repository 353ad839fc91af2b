#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# pinledger top, batch mode: one frame per -d seconds, -n frames, then
# exit 0; interactive: q and Ctrl-C quit with status 0.  The holder's row shows its tgid, comm, pages and pins; a process
# pinning in a loop shows a pin rate (BPF on pin_acquire).
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
f=/mnt/ext4dax/top.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=8 status=none
pin_start h hold $f --pages 8
# A pin+unpin loop in the holder, in processes that come and go.
rm -f /tmp/top.stop
(while [ ! -e /tmp/top.stop ]; do $PINCTL bench anon --loops 5000 >/dev/null || exit 1; done) & bp=$!
out=$(timeout 30 $PLT top -b -n 2 -d 1) || fail "top -b exited $?"
touch /tmp/top.stop
wait $bp || fail "pinctl bench failed"
echo "$out"
expect_eq "frames" "$(echo "$out" | grep -c 'pinledger top:')" 2
# (Pages are checked exactly below, without the pinning loop beside.)
echo "$out" | awk -v t=$PIN_h '$1 == t && $2 == "pinctl" && $3 >= 8 && $4 >= 8 && $5 == 0 { n++ } END { exit n != 2 }' ||
	fail "holder row (tgid $PIN_h, pinctl, 8 pages) not in both frames"
echo "$out" | awk '$1 ~ /^[0-9]+$/ && $7 ~ /^[0-9.]+$/ && $7 > 0 { n++ } END { exit n < 1 }' ||
	fail "no pin rate for the pinning loop"
# Without BPF the rate column says so, pages still shown.
out=$($PLT top -b -n 1 -d 0.2 --no-bpf)
echo "$out"
echo "$out" | grep -q "needs BPF" || fail "--no-bpf: no note"
echo "$out" | awk -v t=$PIN_h '$1 == t && $2 == "pinctl" && $3 == 8 && $4 == 8 && $5 == 0 && $6 == 1 && $7 == "-" { n++ } END { exit n != 1 }' ||
	fail "--no-bpf: holder row (tgid $PIN_h, 8 pages, 8 pins, 1 file)"
# Interactive, on a terminal (script(1) gives it a pty): q quits and the
# terminal is restored (stty shows icanon and echo again); Ctrl-C quits
# too (the pty turns ^C into SIGINT), with status 0.
out=$( (sleep 3; printf q) | timeout 30 script -qfec "$PLT top -d 0.5; stty -a" /dev/null) ||
	fail "interactive top, q: exit $?"
echo "$out" | grep -q 'pinledger top:' || fail "interactive top, q: no frame"
echo "$out" | grep -q '\[q quits\]' || fail "interactive top, q: no hint"
echo "$out" | grep -Eq '(^|[ ;])icanon' && echo "$out" | grep -Eq '(^|[ ;])echo( |$)' ||
	fail "terminal not restored after q: $(echo "$out" | grep -E 'icanon|echo ')"
echo "interactive top: q quit after $(echo "$out" | grep -c 'pinledger top:') frames, terminal restored"
out=$( (sleep 3; printf '\003') | timeout 30 script -qfec "exec $PLT top -d 0.5" /dev/null) ||
	fail "interactive top, Ctrl-C: exit $?"
echo "$out" | grep -q 'pinledger top:' || fail "interactive top, Ctrl-C: no frame"
echo "interactive top: Ctrl-C quit after $(echo "$out" | grep -c 'pinledger top:') frames"
pin_stop h
rm -f $f
