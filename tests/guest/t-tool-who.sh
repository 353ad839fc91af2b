#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# fs: each
# pinledger who FILE: the processes pinning FILE (tgid, comm, pages, pins,
# flags) and the layout change waiting on them (truncate's tgid, how
# long); --json says the same.
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
d=$(pl_dir)
f=$d/who.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=8 status=none
pin_start h hold $f --pages 8 --write
pin_start v vmsplice $f --pages 2 --offset 4

out=$($PLT who $f)
echo "$out"
echo "$out" | head -1 | grep -q "^$f: .* 8 pinned pages" || fail "who: header"
echo "$out" | grep -q "no layout change is waiting" || fail "who: a waiter before truncate"
echo "$out" | grep -Eq "^  0-3 +$PIN_h +pinctl +PIN\|WRITE +1 +0 " || fail "who: holder range 0-3"
echo "$out" | grep -Eq "^  4-5 +$PIN_h +pinctl +PIN\|WRITE +1 +0 " || fail "who: holder range 4-5"
echo "$out" | grep -Eq "^ +$PIN_v +pinctl +GET +0 +1 " || fail "who: vmsplice owner"

truncate -s 0 $f & tp=$!
sleep 1.5
out=$($PLT who $f)
echo "$out"
line=$(echo "$out" | grep "layout change id=") || fail "who: no waiting layout change"
echo "$line" | grep -q "by tgid=$tp comm=truncate, pages 0-end, policy wait, waiting for [0-9.]*s (owners .*$PIN_h" ||
	fail "who: waiter line"
json=$($PLT who $f --json)
echo "$json" | jq -e --argjson h $PIN_h --argjson v $PIN_v --argjson t $tp '
	.pinned_pages == 8 and .dax == 1 and
	([.ranges[].owners[] | select(.tgid == $h and .comm == "pinctl")] | length) == 3 and
	([.ranges[].owners[] | select(.tgid == $v and .gets == 1)] | length) == 1 and
	(.waiting | length) == 1 and .waiting[0].tgid == $t and .waiting[0].comm == "truncate" and
	.waiting[0].waited_ms >= 1000' >/dev/null || fail "who --json: $json"
pin_stop h
pin_stop v
wait $tp || fail "truncate failed"
out=$($PLT who $f)
echo "$out"
echo "$out" | head -1 | grep -q ": 0 pinned pages" || fail "who after release"
rm -f $f
