#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# umount right after the last holder of an unlinked DAX file lets go:
# a separate holder process pins pages of a file and unlinks it (eviction
# deferred); while it lives, umount fails with EBUSY and the kernel log
# names it (tgid, comm); then "kill holder; wait; umount" succeeds every
# time (PL_UMOUNT_ROUNDS rounds, 50 by default), whether the references
# were FOLL_PIN (dropped through the hooked unpin) or FOLL_GET (dropped
# by put_page(), which no hook sees) and the holder was sent SIGTERM
# (releases, then exits) or SIGKILL (its files are closed at exit).
# Then, with no umount to finish it, each deferral completes on its own
# (within 5 s: a hang detector, not a time bound); the times from the
# signal to the holder are printed (a measurement, not an assertion: the
# rig does not assert timings).
. "$(dirname "$0")/lib.sh"

ROUNDS=${PL_UMOUNT_ROUNDS:-50}
d=$(pl_dir)
declare -A DAXOPT=([ext4]=dax [xfs]=dax=always)
dev=
while read -r src mnt _; do
	[ "$mnt" = "$d" ] && dev=$src
done < /proc/mounts
[ -n "$dev" ] || fail "$d is not mounted"

# remount: put the filesystem back where the other tests expect it.
remount() {
	mountpoint -q "$d" || mount -t "$PL_FS" -o "${DAXOPT[$PL_FS]}" "$dev" "$d"
}
trap 'remount || echo "cannot remount $d" >&2' EXIT

# victim: an 8-page file with its blocks allocated (a sparse one would
# map the zero page); printf is a builtin.
victim() { printf '%32768s' '' > $d/victim; }

# deferred: the number of deferred evictions (no process: builtins only).
deferred() { local n; read -r n < $PL_SYSFS/deferred_evictions; echo "$n"; }

pl_load
pl_holder_load
fs_reset $d

# 1. While the holder lives: refused, and the log names the holder.
victim
pin_start h hold $d/victim --pages 8 --unmap --unlink
expect_eq "deferred evictions" "$(deferred)" 1
named=
for i in $(seq 20); do
	dmesg_mark
	if err=$(umount $d 2>&1); then
		fail "umount succeeded while pid $PIN_h holds pins of an unlinked file"
	fi
	[[ $err == *busy* ]] || fail "umount failed, but not with EBUSY: $err"
	line=$(dmesg_since | grep "umount of ${dev##*/} refused (EBUSY)" || true)
	[ -n "$line" ] || fail "no refusal in the kernel log"
	if [[ $line == *"tgid $PIN_h (pinctl)"* ]]; then
		named=$line
		break
	fi
	sleep 0.1
done
[ -n "$named" ] || fail "refusal does not name holder tgid $PIN_h (pinctl): $line"
echo "refused: ${named#*] }"
pin_stop h

# 2. kill; wait; umount.
completed0=$(pl_counter evictions_completed)
ok=0 bad=0 t0=$(date +%s%N)
for ((i = 0; i < ROUNDS; i++)); do
	get=() sig=TERM
	((i % 2)) && get=(--get)
	((i % 4 >= 2)) && sig=KILL
	victim
	pin_start h hold $d/victim --pages 8 --unmap --unlink "${get[@]}"
	n=$(deferred)
	[ "$n" = 1 ] || fail "round $i: $n deferred evictions after the unlink, want 1"
	kill -$sig "$PIN_h"
	# (No "Killed" job notice: braces take wait's stderr.)
	{ wait "$PIN_h"; } 2>/dev/null || true
	if umount $d 2>/tmp/umount.err; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		echo "round $i (${get[*]:-pin}, SIG$sig): umount refused: $(cat /tmp/umount.err)"
		for ((k = 0; k < 100; k++)); do
			[ "$(deferred)" = 0 ] && break
			sleep 0.05
		done
		umount $d || fail "round $i: umount refused even after the deferral"
	fi
	remount
done
echo "kill; wait; umount: $ok of $ROUNDS succeeded, $bad refused ($(( ($(date +%s%N) - t0) / 1000000 / ROUNDS )) ms a round)"
expect_eq "deferred evictions at the end" "$(deferred)" 0
expect_eq "evictions completed" "$(( $(pl_counter evictions_completed) - completed0 ))" "$ROUNDS"
! dmesg | grep 'Busy inodes' || fail "the kernel complained about the shutdown"
[ $bad = 0 ] || fail "$bad of $ROUNDS umounts right after the holder's exit were refused"

# 3. Signal to the holder -> deferral completed (no umount), busy-polled
# with builtins ($EPOCHREALTIME, read): an upper bound of the latency
# from the last reference drop, which comes after the signal.
times=() max=0
for ((i = 0; i < 12; i++)); do
	get=() sig=TERM
	((i % 2)) && get=(--get)
	((i % 4 >= 2)) && sig=KILL
	victim
	pin_start h hold $d/victim --pages 8 --unmap --unlink "${get[@]}"
	[ "$(deferred)" = 1 ] || fail "round $i: no deferral"
	t0=${EPOCHREALTIME/./}
	kill -$sig "$PIN_h"
	while read -r n < $PL_SYSFS/deferred_evictions && [ "$n" != 0 ]; do
		(( ${EPOCHREALTIME/./} - t0 < 5000000 )) || break
	done
	ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	[ "$n" = 0 ] || fail "round $i: the deferral did not complete within 5 s of the holder's SIG$sig"
	{ wait "$PIN_h"; } 2>/dev/null || true
	times+=("$ms${get[*]:+g}${sig:0:1}")
	((ms > max)) && max=$ms
done
echo "signal -> deferral completed, ms (g: FOLL_GET, T/K: SIGTERM/SIGKILL): ${times[*]}; max $max"
fs_reset $d
