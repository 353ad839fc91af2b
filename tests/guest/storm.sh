#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# storm.sh - concurrent pin/layout storm on ext4 and xfs DAX and on a
# page-cache file, with policies flipping underneath, optionally with the
# module reloaded over and over.  Run by t-storm*.sh (short) and by
# "make stress" (long), inside a guest.
#
# Usage: tests/guest/storm.sh SECONDS [RELOADS]
# (the storm lasts SECONDS, or until the RELOADS reloads are done)
#
# Workers, each for SECONDS:
#   dax FS N	 pin 8 pages of its own DAX file with a random real holder
#		 (vmsplice, test pin holder writing "XXXX" into the pages
#		 before release, O_DIRECT or io_uring from a slow null_blk),
#		 unmap, then truncate / punch / collapse / zero / unlink the
#		 file while pinned.  A vmsplice holder must read back its
#		 own file's data ("AAAA"), never another file's.
#   fill FS	 fill the filesystem with "BBBB" files and delete them, so
#		 that freed blocks are reused at once; each is checked
#		 before it is deleted.
#   pc		 page-cache pins + MADV_PAGEOUT and pins + fsync on a RAM
#		 disk ext4 (pcpin).
#   control	 flips policy (wait/revoke/block), wait_timeout_ms, the
#		 page-cache policies and ledger allocation fault injection
#		 (0 or 10 %).
#   reload	 (RELOADS > 0) rmmod + insmod RELOADS times, spread over the
#		 run (rmmod may fail "in use" or EWOULDBLOCK while layout
#		 changes wait or evictions are deferred; anything else is a
#		 failure); layout changes are held off (flock) while the module
#		 is out (truncates, hole punches and unlinks of pinned
#		 files too: the stock kernel would break the invariant),
#		 pins are not.
# Afterwards: every sentinel and fill file has its content, the ledger is
# empty once the holders are gone, free space is back to its baseline.
# Prints "storm: ..." lines with operation counts; exits non-zero on any
# violation.  The caller checks dmesg (run.sh does).
set -uo pipefail

. "$(dirname "$0")/lib.sh"
set +e

SECS=${1:?usage: storm.sh SECONDS [RELOADS]}
RELOADS=${2:-0}
W=/tmp/storm
LOCK=$W/layout.lock
rm -rf $W
mkdir -p $W
START=$(date +%s)
END=$((START + SECS))
PCPIN=$PL_TOOLS/pcpin
NULLB=/dev/nullb0

# pick WORD...: one of the words, at random, in PICK (no fork).
pick() { PICK=${@:RANDOM % $# + 1:1}; }
# between LO HI: a random integer in PICK.
between() { PICK=$(( $1 + RANDOM % ($2 - $1 + 1) )); }

violation() { echo "VIOLATION: $*" | tee -a $W/violations >&2; }
count() { echo "$1" >> $W/count.$BASHPID; }
alive() { [ "$(date +%s)" -lt $END ] || [ -e $W/reloading ]; }

setup() {
	modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=800000000 gb=1 bs=4096 ||
		fail "null_blk"
	modprobe brd rd_nr=1 rd_size=65536 || fail "brd"
	mkfs.ext4 -q -F /dev/ram0 || fail "mkfs"
	mkdir -p /mnt/pc
	mount /dev/ram0 /mnt/pc || fail "mount /dev/ram0"
	pl_holder_load
	pl_load
	for fs in ext4 xfs; do
		d=${PL_MNT[$fs]}
		rm -rf "${d:?}"/storm
		mkdir -p $d/storm
		for i in 1 2 3 4; do
			head -c $((64 * 1024 * i)) /dev/urandom > $d/storm/sentinel.$i
		done
		sync
		md5sum $d/storm/sentinel.* > $W/sentinel.$fs.md5
		stat -f -c '%f' $d > $W/free.$fs
	done
}

# dax_worker FS N
dax_worker() {
	local d=${PL_MNT[$1]}/storm f kind op rc prc got args i line pid opid pol
	f=$d/victim.$2
	while alive; do
		victim_make $f
		pick vmsplice vmsplice hold odirect uring; kind=$PICK
		pick truncate punch collapse zero unlink; op=$PICK
		args=(--pages 8 --unmap)
		case $kind in
		hold)		args+=(--write --pattern 0x5858585858585858) ;;
		odirect|uring)	args+=(--dev $NULLB) ;;
		esac
		"$PINCTL" $kind $f "${args[@]}" > $W/pin.$1.$2 2>&1 &
		pid=$!
		for i in $(seq 500); do
			read -r line < $W/pin.$1.$2
			[[ $line == ready* ]] && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.01
		done
		# A reload waiting for the lock goes first (no starvation).
		while [ -e $W/gate ]; do sleep 0.05; done
		pol=$(cat $PL_SYSFS/policy 2>/dev/null || echo unloaded)
		(
			flock -s 9
			case $op in
			truncate) truncate -s 0 $f ;;
			punch)    fallocate -p -o 0 -l 32768 $f ;;
			collapse) fallocate -c -o 0 -l 16384 $f ;;
			zero)     fallocate -z -o 0 -l 32768 $f ;;
			unlink)   rm -f $f ;;
			esac
		) 9> $LOCK 2>/dev/null &
		opid=$!
		# The change starts while the pages are pinned; the holders
		# that hold until told release a moment later (the I/O ones
		# when the device completes).
		between 2 9; sleep 0.$PICK
		case $kind in vmsplice|hold) kill -TERM $pid 2>/dev/null ;; esac
		wait $opid
		rc=$?
		wait $pid
		prc=$?
		count "op.$op.$pol.rc$rc"
		count "pin.$kind.$prc"
		if [ $kind = vmsplice ] && [ $prc = 0 ]; then
			got=$(sed -n 's/^released first=//p' $W/pin.$1.$2)
			[ "$got" = $A_HEX ] ||
				violation "$1: $op while pinned: the pipe held $got, not the file's own data"
		fi
		# An io_uring holder's pins outlive it (the ring is torn
		# down in a worker once the I/O completes), so this unlink
		# is a layout change of a pinned file too: not while the
		# module is out.
		( flock -s 9; rm -f $f ) 9> $LOCK
	done
}

# fill_worker FS: BBBB files of random sizes, checked before deletion.
fill_worker() {
	local d=${PL_MNT[$1]}/storm n=0 f sz
	while alive; do
		f=$d/fill.$n
		between 16 256; sz=$PICK
		{ yes BBBB || true; } | head -c $((sz * 1024)) > $f 2>/dev/null
		n=$((n + 1))
		count fill
		for f in $d/fill.$((RANDOM % n)); do
			[ -e $f ] || continue
			[ "$(tr -d 'B\n' < $f | head -c 16)" = "" ] ||
				violation "$1: $f changed: $(od -An -c -N16 $f | head -1)"
			rm -f $f
			count fill.checked
		done
		sleep 0.05
	done
	for f in $d/fill.*; do
		[ -e "$f" ] || continue
		[ "$(tr -d 'B\n' < $f | head -c 16)" = "" ] || violation "$1: $f changed"
		rm -f $f
	done
}

pc_worker() {
	local n=0
	while alive; do
		if [ $((n % 2)) = 0 ]; then
			{ yes AAAA || true; } | head -c 65536 > /mnt/pc/f.$n
			sync
			"$PCPIN" pageout /mnt/pc/f.$n --pages 16 --pin 4 > /dev/null 2>&1
			count "pc.pageout.$?"
		else
			{ yes AAAA || true; } | head -c 16384 > /mnt/pc/f.$n
			sync
			"$PCPIN" clean /mnt/pc/f.$n --pattern 0x4242424242424242 > /dev/null 2>&1
			count "pc.clean.$?"
		fi
		rm -f /mnt/pc/f.$n
		n=$((n + 1))
	done
}

# setknob FILE VALUE: write if the module is loaded (it may be reloading).
setknob() { { [ -e "$1" ] && echo "$2" > "$1"; } 2>/dev/null; }

control_worker() {
	while alive; do
		pick wait wait revoke block
		setknob $PL_SYSFS/policy $PICK
		pick 0 0 200 1000
		setknob $PL_SYSFS/wait_timeout_ms $PICK
		pick 100 300
		setknob $PL_SYSFS/revoke_grace_ms $PICK
		pick allow skip
		setknob $PL_SYSFS/pagecache_unmap_policy $PICK
		pick report redirty
		setknob $PL_SYSFS/pagecache_clean_policy $PICK
		pick 0 10
		setknob $PL_DEBUGFS/fail_alloc_percent $PICK
		count "control.$(cat $PL_SYSFS/policy 2>/dev/null || echo unloaded)"
		sleep 0.5
	done
}

# reload_worker: RELOADS rmmod + insmod cycles, at least SECS / (RELOADS
# + 1) apart; the storm goes on until they are all done.
reload_worker() {
	local i gap t0 t1 t2 r
	gap=$(echo "$SECS / ($RELOADS + 1)" | bc -l)
	for i in $(seq $RELOADS); do
		sleep "$gap"
		touch $W/gate
		exec 9> $LOCK
		flock -x 9
		t0=$(date +%s%N)
		if rmmod pinledger 2> $W/rmmod.err; then
			r=ok
		else
			r=busy
			# kmod refuses ("is in use", EBUSY) while a layout
			# change waits or an eviction is deferred (each holds a
			# module reference); a waiter that takes its reference
			# between kmod's refcnt check and delete_module() makes
			# the kernel refuse instead (EWOULDBLOCK).  Both are
			# clean; anything else is not.
			grep -qE 'is in use|Resource temporarily unavailable' $W/rmmod.err ||
				violation "rmmod: $(cat $W/rmmod.err)"
		fi
		t1=$(date +%s%N)
		[ -d /sys/module/pinledger ] || pl_load 2> $W/insmod.err ||
			violation "insmod failed: $(cat $W/insmod.err); dmesg: $(dmesg | grep pinledger | tail -3)"
		t2=$(date +%s%N)
		exec 9>&-
		rm -f $W/gate
		count "reload.$r"
		echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))" >> $W/reload.ms
	done
	rm -f $W/reloading
}

summary() {
	cat $W/count.* 2>/dev/null | sort | uniq -c | awk '{ printf "storm: %s %d\n", $2, $1 }'
	[ -s $W/reload.ms ] && awk '
		NR == 1 { rmin = rmax = $1; imin = imax = $2 }
		{ rs += $1; is += $2
		  if ($1 < rmin) rmin = $1; if ($1 > rmax) rmax = $1
		  if ($2 < imin) imin = $2; if ($2 > imax) imax = $2 }
		END { printf "storm: %d reloads: rmmod %d..%d ms (mean %d), insmod %d..%d ms (mean %d)\n",
		      NR, rmin, rmax, rs / NR, imin, imax, is / NR }' $W/reload.ms
	echo "storm: ran $(( $(date +%s) - START )) s"
}

# meminfo KEY: kB.
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

setup
sync; echo 3 > /proc/sys/vm/drop_caches
mem0=$(meminfo MemFree) slab0=$(meminfo SUnreclaim)
echo "storm: ${SECS}s, $RELOADS reloads, pids $$"
pids=()
for fs in ext4 xfs; do
	for n in 1 2; do dax_worker $fs $n & pids+=($!); done
	fill_worker $fs & pids+=($!)
done
pc_worker & pids+=($!)
control_worker & pids+=($!)
if [ "$RELOADS" -gt 0 ]; then
	touch $W/reloading
	reload_worker & pids+=($!)
fi
for p in "${pids[@]}"; do wait $p; done

# Quiesce: default policies, no injection; wait for holders to be gone.
[ -d /sys/module/pinledger ] || pl_load
echo wait > $PL_SYSFS/policy
echo 0 > $PL_SYSFS/wait_timeout_ms
echo 0 > $PL_DEBUGFS/fail_alloc_percent
pkill -f "$PINCTL" 2>/dev/null
summary
rc=0
for fs in ext4 xfs; do
	d=${PL_MNT[$fs]}
	md5sum -c --quiet $W/sentinel.$fs.md5 || { violation "$fs: a sentinel file changed"; }
	rm -rf $d/storm
	sync
	# Deferred evictions complete once their pins are gone.
	for i in $(seq 100); do
		deferred=$(cat $PL_SYSFS/deferred_evictions)
		[ "$deferred" = 0 ] && break
		sleep 0.1
	done
	[ "$deferred" = 0 ] ||
		violation "$fs: $deferred evictions still deferred 10 s after the last holder exited"
	# Freeing is asynchronous after the final iput (xfs inactivates
	# inodes in background inodegc workers; statfs only kicks them), so
	# sync and look again for up to 30 s: the blocks must come back, not
	# come back at once.
	want=$(cat $W/free.$fs)
	for i in $(seq 30); do
		sync
		free=$(stat -f -c '%f' $d)
		# The baseline was taken with the sentinels in place: free >= it.
		[ "$free" -ge "$want" ] && break
		sleep 1
	done
	[ "$free" -ge "$want" ] || violation "$fs: free blocks $free, baseline $want (leaked blocks)"
	echo "storm: $fs free blocks $free (baseline $want) after $i sync(s)"
done
# Exec's own FOLL_GETs (get_arg_page) of the processes this very check
# starts come and go; anything else is a leak once the reconciler (every
# reconcile_ms = 1 s, a stale FOLL_GET goes within two passes) has had
# its chance: look for up to 10 s.
for i in $(seq 20); do
	left=$(grep -v 'callsite=get_arg_page' $PL_DEBUGFS/pins | grep -c . || true)
	[ "$left" = 0 ] && break
	sleep 0.5
done
echo "storm: ledger entries left (exec's transient ones aside): $left"
[ "$left" = 0 ] || {
	grep . $PL_DEBUGFS/pins | head
	grep . $PL_DEBUGFS/counters $PL_DEBUGFS/hooks
	violation "ledger not empty"
}
echo "storm: untracked $(pl_counter untracked), injected allocation failures $(pl_counter injected_alloc_failures)"
umount /mnt/pc
rmmod brd null_blk 2>/dev/null
# Unloading frees the whole ledger; the module warns (WARN) if its own
# byte and entry gauges are not back to zero, which fails the test.
rmmod pinledger || violation "final rmmod failed"
sync; echo 3 > /proc/sys/vm/drop_caches
echo "storm: after unload: MemFree drift $(( $(meminfo MemFree) - mem0 )) kB, unreclaimable slab drift $(( $(meminfo SUnreclaim) - slab0 )) kB"
if [ -s $W/violations ]; then
	echo "storm: $(wc -l < $W/violations) violations"
	exit 1
fi
echo "storm: no violations"
exit $rc
