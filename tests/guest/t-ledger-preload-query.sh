#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# References taken before insmod are not in the ledger, but a query by
# file (/dev/pinledger, through "pinledger who") reports them as held by
# an unknown owner, never as unpinned; a layout change they block is
# refused with a dmesg line that says the owner is unknown and why; new
# pins are attributed next to them; rmmod with live pins is safe.
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
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
query() { $PLT who "$1" --json; }
out=$(query $f)
echo "$out"
echo "$out" | jq -e '.ranges[] | select(.first == 0 and .last == 3 and .unknown_pins == 1 and (.owners | length) == 0)' >/dev/null ||
	fail "pre-load pins on 0-3 not reported"
echo "$out" | jq -e '.ranges[] | select(.first == 4 and .last == 7 and .unknown_refs == 1 and (.owners | length) == 0)' >/dev/null ||
	fail "pre-load gets on 4-7 not reported"
echo "$out" | jq -e '.pinned_pages == 8 and .unknown_owner_pages == 8' >/dev/null || fail "bad total"
out=$($PLT who $f)
echo "$out"
expect_eq "rows of unknown owner" "$(echo "$out" | grep -c ' ? *(unknown) .*owner unknown: not in the ledger (pinned before load, untracked, or in flight)$')" 2

# A layout change these pins block is refused with an honest dmesg line.
echo block > $PL_SYSFS/policy
dmesg_mark
truncate -s 0 $f 2>/dev/null && fail "truncate under block succeeded"
echo wait > $PL_SYSFS/policy
msg=$(dmesg_since | grep "ino $ino refused (error -16)" || true)
echo "$msg"
echo "$msg" | grep -q "pages pinned, owner unknown (not in the ledger: pinned before pinledger loaded, untracked, or still being pinned)$" ||
	fail "refusal does not say the owner is unknown and why"
echo "$msg" | grep -q "tgid 0" && fail "refusal names tgid 0"

# A new pin with the module loaded: owner known, the old pin still unknown.
pin_start n hold $f --pages 2 --write
out=$(query $f)
echo "$out"
echo "$out" | jq -e --argjson n $PIN_n '.ranges[] | select(.first == 0 and .last == 1 and .pins == 1 and .gets == 0 and .unknown_pins == 1 and
	(.owners | length) == 1 and .owners[0].tgid == $n and .owners[0].comm == "pinctl" and .owners[0].flags == "PIN|WRITE")' >/dev/null ||
	fail "new pin on 0-1 not attributed next to the unknown one"
out=$($PLT pins --pid $PIN_n --json)
echo "$out"
# (The pid may also own stale FOLL_GETs of its execve, until reconciled.)
expect_eq "pins --pid: pages of the file" "$(echo "$out" | jq --argjson ino $ino '[.[] | select(.ino == $ino and .first == 0 and .last == 1 and .pins == 2)] | length')" 1

# rmmod with live pins (recorded and not): frees everything, no complaint.
rmmod pinledger
pl_load
pin_stop n; pin_stop p; pin_stop g
out=$(query $f)
echo "$out" | jq -e '.pinned_pages == 0' >/dev/null || { echo "$out"; fail "pins left after release"; }
rm -f $f
