#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# fs: each
# pinledger pins: one line per range of one owner, with the right owner
# (tgid, comm), page counts, flags and file, for pins of the test pin
# holder, vmsplice() and an O_DIRECT read in flight; --pid, --file, --dev
# filters; --json.
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
d=$(pl_dir)
f=$d/pins.$$
g=$d/pins2.$$
modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=4000000000 gb=1 bs=4096 ||
	fail "cannot load null_blk"
trap 'rmmod null_blk 2>/dev/null || true' EXIT
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=16 status=none
dd if=/dev/zero of=$g bs=4k count=8 status=none
dev=$(stat -c '%Hd:%Ld' $d)
ino=$(stat -c %i $f)

pin_start h hold $f --pages 8 --write
pin_start v vmsplice $f --pages 4 --offset 10
pin_start o odirect $g --pages 8 --dev /dev/nullb0
sleep 0.5
out=$($PLT pins --dev $d)
echo "$out"
# row TGID FLAGS_RE PAGES RANGE FILE: one line with these columns.
row() {
	echo "$out" | awk -v t=$1 -v fl="$2" -v p=$3 -v r=$4 -v f="$5" \
		'$1 == t && $2 == "pinctl" && $3 == p && $4 == f && $5 == r && $8 ~ fl { n++ } END { exit n != 1 }' ||
		fail "no single row tgid=$1 flags~$2 pages=$3 range=$4 file=$5"
}
row $PIN_h '^PIN\|WRITE$' 8 0-7 "$d:ino=$ino"
row $PIN_v '^GET$' 4 10-13 "$d:ino=$ino"
# The O_DIRECT read: 8 pages of the other file, FOLL_GET on 6.1 and
# FOLL_PIN on 6.12, in one or more rows (one per GUP call site).
echo "$out" | awk -v t=$PIN_o -v f="$d:ino=$(stat -c %i $g)" \
	'$1 == t && $4 == f && $8 ~ /^(GET|PIN)\|WRITE$/ { n += $3 } END { exit n != 8 }' ||
	fail "odirect: want 8 pages of $g owned by $PIN_o"
echo "$out" | awk -v t=$PIN_h '$1 == t { exit !($6 == 8 && $7 == 0) }' || fail "holder: pins/gets columns"
echo "$out" | awk -v t=$PIN_v '$1 == t { exit !($6 == 0 && $7 == 4) }' || fail "vmsplice: pins/gets columns"

out=$($PLT pins --pid $PIN_v)
expect_eq "--pid: rows" "$(echo "$out" | tail -n +2 | wc -l)" 1
out=$($PLT pins --file $f)
echo "$out"
expect_eq "--file: rows" "$(echo "$out" | tail -n +2 | wc -l)" 2
echo "$out" | grep -q " $f " || fail "--file: the file's path is not shown"
json=$($PLT pins --json --file $f)
echo "$json" | jq -e --argjson h $PIN_h --argjson v $PIN_v --arg dev $dev --argjson ino $ino '
	length == 2 and
	(map(select(.tgid == $h and .comm == "pinctl" and .pages == 8 and .pins == 8 and .first == 0 and .last == 7 and .flags == "PIN|WRITE")) | length) == 1 and
	(map(select(.tgid == $v and .pages == 4 and .gets == 4 and .first == 10)) | length) == 1 and
	all(.dev == $dev and .ino == $ino)' >/dev/null || fail "pins --json: $json"
sel="[.[] | select(.tgid == $PIN_h or .tgid == $PIN_v)] | length"
expect_eq "--dev MAJ:MIN = --dev MOUNTPOINT" "$($PLT pins --dev $dev --json | jq "$sel")" "$($PLT pins --dev $d --json | jq "$sel")"
pin_stop h
pin_stop v
wait $PIN_o || fail "odirect failed"
sleep 1.5	# 6.1: O_DIRECT FOLL_GET references leave by reconciliation
expect_eq "rows after release" "$($PLT pins --file $f --json | jq length)" 0
rm -f $f $g
