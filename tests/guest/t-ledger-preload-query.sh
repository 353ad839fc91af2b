#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# References taken before insmod are not in the ledger, but a query by
# file reports them as held by an unknown owner, never as unpinned; new
# pins are attributed next to them; rmmod with live pins is safe.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
f=$d/preload.$$
pl_holder_load
pl_unload
dd if=/dev/zero of=$f bs=4k count=16 status=none
ino=$(stat -c %i $f)
pin_start p hold $f --pages 4				# pins on 0-3
pin_start g hold $f --offset 4 --pages 4 --get		# gets on 4-7
pl_load
[ -z "$(pins_of $ino)" ] || fail "pre-load pins are in the ledger"
query() { exec 3<>$PL_DEBUGFS/query; echo "$1" >&3; cat <&3; exec 3>&-; }
out=$(query $f)
echo "$out"
echo "$out" | grep -q "^range=0-3 .*unknown_pins=1 " || fail "pre-load pins on 0-3 not reported"
echo "$out" | grep -q "^range=4-7 .*unknown_refs=1 " || fail "pre-load gets on 4-7 not reported"
echo "$out" | grep -q "^total pinned_pages=8 unknown_owner_pages=8" || fail "bad total"

# A new pin with the module loaded: owner known, the old pin still unknown.
pin_start n hold $f --pages 2 --write
out=$(query $f)
echo "$out"
echo "$out" | grep -q "^range=0-1 pfn=.* pins=1 gets=0 unknown_pins=1 .*tgid=$PIN_n comm=pinctl flags=PIN|WRITE" ||
	fail "new pin on 0-1 not attributed next to the unknown one"
out=$(query "pid $PIN_n")
echo "$out"
# (The pid may also own stale FOLL_GETs of its execve, until reconciled.)
expect_eq "pid query: pages of the file" "$(echo "$out" | grep -c ":$ino:[01] pins=1 .*tgid=$PIN_n comm=pinctl")" 2
echo "$out" | grep -q "^total pid=$PIN_n pinned_pages=" || fail "pid query: no total"

# rmmod with live pins (recorded and not): frees everything, no complaint.
rmmod pinledger
pl_load
pin_stop n; pin_stop p; pin_stop g
out=$(query $f)
echo "$out" | grep -q "^total pinned_pages=0 " || { echo "$out"; fail "pins left after release"; }
rm -f $f
