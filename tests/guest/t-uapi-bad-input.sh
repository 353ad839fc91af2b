#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# Bad input on /dev/pinledger (tests/tools/uapibad.c): unknown ioctls,
# short and oversized request structs and record buffers, buffers in
# kernel space or wrapping around, a bad fd, an O_PATH fd, fds of a
# directory, a pipe, a character device and a non-DAX file, a range past
# EOF, forged cursors, callers without CAP_SYS_ADMIN or not root: each a
# clear errno.  Nothing leaks: after 200 rounds of the whole battery the
# files it was given can be unmounted (no struct file reference kept),
# the module's reference count and pins are back where they were and
# the kmalloc caches did not grow by the rounds.
. "$(dirname "$0")/lib.sh"

UB=$PL_TOOLS/uapibad
pl_holder_load
pl_load
[ -c /dev/pinledger ] || fail "no /dev/pinledger"
expect_eq "mode of /dev/pinledger" "$(stat -c '%a %U' /dev/pinledger)" "600 root"
f=/mnt/ext4dax/uapibad.$$
dd if=/dev/zero of=$f bs=4k count=16 status=none
pin_start h hold $f --pages 4
m=/tmp/uapibad.mnt
mkdir -p $m
mount -t tmpfs -o size=1m tmpfs $m
echo data > $m/other
mkdir $m/dir

refcnt=$(cat /sys/module/pinledger/refcnt)
pins=$(cat $PL_SYSFS/counters/live_pins)

# Objects of the kmalloc caches, exactly (lib.sh kmalloc_objs: on a KASAN
# kernel the quarantine drained first; KFENCE sampling off meanwhile).
trap slab_release EXIT
slab_hold
$UB $f $m/other $m/dir || fail "uapibad"
kmalloc_objs
slab0=$PL_KMALLOC_OBJS caches0=$PL_KMALLOC_CACHES
$UB $f $m/other $m/dir 200 | tail -3 || fail "uapibad, 200 rounds"
kmalloc_objs
slab1=$PL_KMALLOC_OBJS caches1=$PL_KMALLOC_CACHES
slab_release
echo "kmalloc objects: $slab0 before 200 rounds, $slab1 after"
# Each round allocates and frees 3 or more objects per query: a leak on
# any path would leave hundreds behind.
[ $((slab1 - slab0)) -lt 150 ] ||
	fail "kmalloc objects grew by $((slab1 - slab0)): $(kmalloc_growth "$caches0" "$caches1")"

umount $m || fail "tmpfs busy after the rounds: a file reference leaked"
rmdir $m
expect_eq "module refcount" "$(cat /sys/module/pinledger/refcnt)" "$refcnt"
# The holder's pins, and only they (every exec takes FOLL_GET references
# on its argument pages for a moment: live_gets and live_pages move).
now=$(cat $PL_SYSFS/counters/live_pins)
if [ "$now" != "$pins" ] || [ "$pins" != 4 ]; then
	for c in acquired_pins released_pins unmatched_releases untracked live_gets; do
		echo "counter $c: $(cat $PL_SYSFS/counters/$c)"
	done
	ps -eo pid,comm,args | grep -v "\[" || true
fi
expect_eq "live_pins after the rounds" "$now" "$pins"
expect_eq "live_pins before the rounds (the holder's)" "$pins" 4

# Not root: the device node itself refuses.
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups $UB $f /etc/passwd /tmp 2>&1) &&
	fail "nobody opened /dev/pinledger"
echo "nobody: $out"
echo "$out" | grep -q "Permission denied" || fail "nobody: want EACCES, got '$out'"
pin_stop h
rm -f $f
