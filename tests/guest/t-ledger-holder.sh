#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# Pins and gets taken by the test pin holder through every GUP entry
# point (fast, slow, unlocked, remote) on a DAX file are in the ledger
# with the holder's pid, comm, flags and file page, and leave it on release.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
f=$d/holder.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=8 status=none
ino=$(stat -c %i $f)
for api in fast slow unlocked remote; do
	for kind in pin get; do
		opt=; [ $kind = get ] && opt=--get
		want=PIN; [ $kind = get ] && want=GET
		a0=$(pl_counter acquired_${kind}s); r0=$(pl_counter released_${kind}s)
		pin_start h hold $f --pages 8 --api $api --write $opt
		lines=$(pins_of $ino)
		n=$(echo "$lines" | grep -c "tgid=$PIN_h comm=pinctl flags=$want|WRITE" || true)
		[ "$n" = 8 ] || { echo "$lines"; fail "$api/$kind: $n of 8 pages attributed to pinctl $want|WRITE"; }
		for i in $(seq 0 7); do
			echo "$lines" | grep -q ":$ino:$i " || fail "$api/$kind: page index $i missing"
		done
		echo "$lines" | grep -q "${kind}s=1 " || fail "$api/$kind: count is not 1"
		echo "$lines" | grep -q "callsite=" || fail "no callsite"
		pin_stop h
		left=$(pins_of $ino)
		[ -z "$left" ] || { echo "$left"; fail "$api/$kind: entries left after release"; }
		# Other processes take FOLL_GETs too (execve's get_arg_page), but
		# nothing else releases references through the hooked paths here.
		got=$(( $(pl_counter acquired_${kind}s) - a0 ))
		[ "$got" -ge 8 ] || fail "$api/$kind acquired: $got, want >= 8"
		expect_eq "$api/$kind released" $(( $(pl_counter released_${kind}s) - r0 )) 8
		echo "$api/$kind: 8 recorded, 8 released"
	done
done
rm -f $f
