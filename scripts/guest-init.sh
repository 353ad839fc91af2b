#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-init.sh - /init (PID 1, busybox sh) of the pinledger QEMU guest.
#
# Stage 1 (in the initramfs): mounts proc/sys/dev, insmods the modules
# listed in /lib/modules/load.order and those of the transports the kernel
# command line names (plrig.root=9p, the default, or virtiofs: load.9p or
# load.virtiofs; plrig.pmem=virtio: load.vpmem), mounts the host root (tag
# "hostroot", read-only) under a tmpfs-backed overlay at /newroot with the
# usual pseudo filesystems (or, when out/userland names a Debian release's
# root, that root under the overlay, with the paths in out/keep carried in
# from the host), the kernel's stock modules at
# /lib/modules/$(uname -r) (its headers linked into /usr/src) and the
# per-run share (tag "out") at /run/guest-out, with the host directories
# listed in out/keep (a clone under /tmp or /run) visible over the guest's
# own /tmp and /run, then chroots PID 1 into
# /newroot (so kernel helpers such as request_module() use the host's
# modprobe) and re-runs itself.
# Stage 2 (chrooted): formats /dev/pmem0 (ext4, -o dax at /mnt/ext4dax) and
# /dev/pmem1 (xfs, -o dax=always at /mnt/xfsdax), runs the command from
# out/cmd with bash in the directory out/cwd, output on the console, then
# writes out/dmesg and out/rc and powers off.  Setup failures go to
# out/error and the console; there is no out/rc then.
#
# Usage: built into the initramfs by scripts/mkinitramfs.sh; not run by hand.
# shellcheck disable=SC3040 # busybox ash has pipefail
set -euo pipefail

OUT=/run/guest-out
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# halt: power the guest off; never returns (PID 1 must not exit).
halt() {
	sync
	poweroff -f 2>/dev/null || echo o > /proc/sysrq-trigger
	while :; do sleep 60; done
}

# die MSG: report a rig failure to the console and the host, power off.
die() {
	echo "guest-init: FATAL: $*" >&2
	for d in /out $OUT; do
		[ -d "$d" ] && echo "$*" > "$d/error" 2>/dev/null && break
	done
	dmesg 2>/dev/null | tail -n 20 >&2
	halt
}

# m9p TAG DIR OPTS: mount a virtio-9p share.
m9p() {
	mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000,$3" "$1" "$2"
}

# mshare TAG DIR 9POPTS [ro]: mount a host share over the transport that
# plrig.root names (virtio-fs takes no 9p options).
mshare() {
	if [ "$ROOTFS" = virtiofs ]; then
		mount -t virtiofs ${4:+-o $4} "$1" "$2"
	else
		m9p "$1" "$2" "$3${4:+,$4}"
	fi
}

# load LIST: insmod the modules of /lib/modules/LIST in order.
load() {
	[ -f "/lib/modules/$1" ] || die "this kernel has no modules for $1"
	while read -r m; do
		insmod "/lib/modules/$m" || die "insmod $m failed"
	done < "/lib/modules/$1"
}

# rig_args: ROOTFS and PMEM_BACKEND from the kernel command line.
rig_args() {
	ROOTFS=9p PMEM_BACKEND=memmap
	read -r cmdline < /proc/cmdline
	for w in $cmdline; do
		case $w in
		plrig.root=*)	ROOTFS=${w#*=} ;;
		plrig.pmem=*)	PMEM_BACKEND=${w#*=} ;;
		esac
	done
}

# stage1: build /newroot on top of the host root and chroot PID 1 into it.
stage1() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	exec </dev/console >/dev/console 2>&1
	trap 'die "stage 1 failed (exit $?)"' EXIT

	rig_args
	load load.order
	load "load.$ROOTFS"
	[ "$PMEM_BACKEND" != virtio ] || load load.vpmem
	mkdir -p /out /host /rw /newroot
	mshare out /out cache=none || die "cannot mount $ROOTFS share 'out'"
	mshare hostroot /host cache=loose ro || die "cannot mount host root"
	mount -t tmpfs -o mode=755 rw /rw
	mkdir /rw/upper /rw/work
	userland=$(cat /out/userland 2>/dev/null || :)
	mount -t overlay -o "lowerdir=/host$userland,upperdir=/rw/upper,workdir=/rw/work" \
		overlay /newroot || die "cannot mount overlay on the root /host$userland"

	# Host directories to keep visible: those the guest's own /tmp and
	# /run would hide (a clone under /tmp, say), and with a release's
	# userland the clone and cache wherever they are.  Each gets an
	# overlay view of its own (writable, writes lost), put on top later.
	nkeep=0
	if [ -s /out/keep ]; then
		while read -r k; do
			mkdir -p "/rw/keep$nkeep"
			if [ -n "$userland" ]; then
				mkdir -p "/rw/ku$nkeep" "/rw/kw$nkeep"
				mount -t overlay -o "lowerdir=/host$k,upperdir=/rw/ku$nkeep,workdir=/rw/kw$nkeep" \
					overlay "/rw/keep$nkeep" || die "cannot carry $k into the userland"
			else
				mount -o bind "/newroot$k" "/rw/keep$nkeep" ||
					die "cannot keep $k visible"
			fi
			nkeep=$((nkeep + 1))
		done < /out/keep
	fi

	cd /newroot
	mount -o move /proc proc
	mount -o move /sys sys
	mount -o move /dev dev
	mkdir -p dev/pts dev/shm
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts dev/pts
	mount -t tmpfs -o mode=1777 tmpfs dev/shm
	mount -t tmpfs -o mode=755 tmpfs run
	mount -t tmpfs -o mode=1777 tmpfs tmp
	mount -t debugfs debugfs sys/kernel/debug
	mount -t tracefs tracefs sys/kernel/tracing
	i=0
	while [ $i -lt $nkeep ]; do
		k=$(sed -n "$((i + 1))p" /out/keep)
		mkdir -p ".$k"
		mount -o move "/rw/keep$i" ".$k" || die "cannot put $k back"
		i=$((i + 1))
	done
	kver=$(uname -r)
	moddir=$(cat /out/moddir)
	mkdir -p "lib/modules/$kver"
	mount -o bind "/host$moddir" "lib/modules/$kver" ||
		die "cannot bind $moddir at /lib/modules/$kver"
	# .../build points at /usr/src/linux-headers-$kver: link it there.
	for d in "/host${moddir%/lib/modules/*}"/usr/src/linux-*; do
		[ -e "usr/src/${d##*/}" ] || ln -s "${d#/host}" "usr/src/${d##*/}"
	done
	mkdir -p .$OUT run/guest-init
	mount -o move /out .$OUT
	cp /bin/busybox /init run/guest-init/
	trap - EXIT
	exec chroot /newroot /run/guest-init/busybox sh /run/guest-init/init stage2
}

# mkdax DEV FSTYPE DIR OPTS MKFS...: mkfs DEV and mount it with DAX at DIR.
mkdax() {
	dev=$1 fs=$2 dir=$3 opts=$4
	shift 4
	# libnvdimm registers namespaces asynchronously: give it a moment.
	n=0
	while [ ! -b "$dev" ] && [ $n -lt 50 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	[ -b "$dev" ] || die "$dev missing (no emulated pmem?)"
	"$@" "$dev" >&2 || die "$* $dev failed"
	mkdir -p "$dir"
	mount -t "$fs" -o "$opts" "$dev" "$dir" ||
		die "mount -t $fs -o $opts $dev $dir failed: no DAX?"
	grep -q "^$dev $dir $fs .*dax" /proc/mounts ||
		die "$dir is mounted without dax: $(grep " $dir " /proc/mounts)"
}

# stage2: set up the DAX filesystems, run the command, report, power off.
stage2() {
	trap 'die "stage 2 failed (exit $?)"' EXIT
	mkdax /dev/pmem0 ext4 /mnt/ext4dax dax mkfs.ext4 -q -F
	mkdax /dev/pmem1 xfs /mnt/xfsdax dax=always mkfs.xfs -q -f
	cwd=$(cat $OUT/cwd)
	cd "$cwd" 2>/dev/null ||
		die "cannot cd to $cwd (guest /run/guest-out, /dev and /proc are the guest's own)"

	rc=0
	env -i PATH="$PATH" HOME=/root USER=root LOGNAME=root TERM=linux \
		PINLEDGER_GUEST=1 PINLEDGER_KVER="$(uname -r)" \
		PINLEDGER_RELEASE="$(cat $OUT/release 2>/dev/null)" \
		/bin/bash -c "$(cat $OUT/cmd)" </dev/null || rc=$?
	trap - EXIT
	cd /
	dmesg > $OUT/dmesg
	cat /proc/sys/kernel/tainted > $OUT/tainted
	echo "$rc" > $OUT/rc
	halt
}

if [ "${1:-}" = stage2 ]; then
	stage2
else
	stage1
fi
