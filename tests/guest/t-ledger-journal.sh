#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A journal too small for the load (journal_words_log2=10: 1024 words
# per CPU) loses nothing: GUP calls larger than it and many calls in a
# row make the writer absorb at once, every pin is in the ledger with its
# owner (none untracked), and the totals still move exactly with the
# kernel's nr_foll_pin_acquired / nr_foll_pin_released.
. "$(dirname "$0")/lib.sh"

pl_holder_load
pl_load journal_words_log2=10
pl_pin_totals; A0=$A R0=$R LA0=$LA LR0=$LR U0=$U L0=$L J0=$J
# 4096 pages in one call: records of 128 entries, 8 journals' worth.
pin_start a hold anon --pages 4096 --api fast --write
pin_start b hold anon --pages 4096 --api slow --write
n=$(pl_counter live_pins)
if pl_rt; then
	# PREEMPT_RT: a probe handler may not absorb (absorb_lock and the
	# ledger's locks sleep there), so the part of a GUP call the free
	# journal cannot take is counted untracked - never dropped silently
	# (module/journal.c DOC) - and the guard sees it by refcount.  What
	# holds there: every pin is in the ledger or counted untracked, the
	# limit was met, and once released nothing stays behind.
	u=$(( $(pl_counter untracked) - U0 ))
	echo "rt: live $n, untracked $u"
	expect_eq "rt: live pins + untracked" $((n + u)) 8192
	[ "$u" -gt 0 ] || fail "rt: two 4096-page calls fit 1024-word journals"
	pin_stop a; pin_stop b
	pl_pin_totals
	UM=$(pl_counter unmatched_releases)
	echo "vmstat:  acquired +$((A - A0)) released +$((R - R0))"
	echo "ledger:  acquired +$((LA - LA0)) released +$((LR - LR0)) untracked +$((U - U0)) lost +$((L - L0)) unmatched $UM"
	expect_eq "rt: acquired + untracked (ledger vs vmstat)" $((LA - LA0 + U - U0)) $((A - A0))
	for i in $(seq 50); do
		[ "$(pl_counter live_pins)" = 0 ] && break
		sleep 0.1
	done
	expect_eq "rt: pins live after release" "$(pl_counter live_pins)" 0
	exit 0
fi
expect_eq "pins live in the ledger" "$n" 8192
# Entries are per folio (the buffer may be THP-backed): sum their pins.
n=$(awk -v t="tgid=$PIN_a" '$0 ~ t " comm=pinctl flags=PIN" {
	for (i = 1; i <= NF; i++) if ($i ~ /^pins=/) { sub("pins=", "", $i); s += $i; break }
} END { print s + 0 }' "$PL_DEBUGFS/pins")
expect_eq "pins attributed to holder a" "$n" 4096
pin_stop a; pin_stop b
# Many short pins in a row (pin+unpin loops) through the same journal.
$PINCTL bench anon --pages 512 --loops 64 >/dev/null || fail "pinctl bench"
pl_pin_totals
echo "vmstat:  acquired +$((A - A0)) released +$((R - R0))"
echo "ledger:  acquired +$((LA - LA0)) released +$((LR - LR0)) untracked +$((U - U0)) lost +$((L - L0)) absorbs +$((J - J0))"
expect_eq "acquired pins (ledger vs vmstat)" $((LA - LA0)) $((A - A0))
expect_eq "released pins (ledger vs vmstat)" $((LR - LR0)) $((R - R0))
expect_eq "untracked" $((U - U0)) 0
expect_eq "lost releases" $((L - L0)) 0
[ $((J - J0)) -ge 8 ] || fail "journal absorbed only $((J - J0)) times: the small journal was not exercised"
expect_eq "pins live after release" "$(pl_counter live_pins)" 0
