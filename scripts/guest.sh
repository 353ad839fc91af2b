#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - run a command inside a QEMU (TCG) guest booted on a stock
# Debian kernel unpacked by scripts/provision.sh.
#
# The guest's userland is the root of the kernel's Debian release
# ($CACHE/roots/CODENAME, scripts/releases.sh) or, for a kernel of no
# release, the host root, read-only (shared over 9p, under a tmpfs
# overlay, so it may write anywhere; writes are lost); the clone, the cache
# and the current directory are visible at their host paths, the kernel's
# own modules (modprobe works), two emulated pmem devices formatted and mounted with DAX at
# /mnt/ext4dax (ext4, -o dax) and /mnt/xfsdax (xfs, -o dax=always), and a
# writable per-run directory at /run/guest-out.  A kernel built without
# 9p (CONFIG_NET_9P_VIRTIO; Debian's cloud flavour) gets both shares over
# virtio-fs instead (CONFIG_VIRTIO_FS; QEMU's virtiofsd, one per share,
# the host root shared from a read-only bind mount of its own), chosen
# from the kernel's config; the guest sees the same.  COMMAND runs with bash -c
# in the current directory (one argument: a shell command line; several: a
# command and its arguments, quoted as given), with PINLEDGER_GUEST=1 and
# PINLEDGER_KVER set.  Its output and the guest console stream to stdout;
# guest.sh exits with its status.  A guest that hangs, panics or fails to
# boot makes guest.sh print "guest: FAIL: <reason>" and the console tail on
# stderr and exit 125.
#
# Usage: scripts/guest.sh --kernel KVER [--timeout SECS] [--mem MB]
#                         [--cpus N] [--append ARGS] [--icount]
#                         [--pmem memmap|virtio] -- COMMAND...
#   --pmem    how /dev/pmem0 and /dev/pmem1 (512 MiB each) are emulated:
#             memmap (default) - legacy e820 ranges inside guest RAM
#             (memmap=512M!1G memmap=512M!2G); virtio - two virtio-pmem-pci
#             devices backed by sparse files on the host (in /dev/shm
#             when it has room; shared mappings, deleted with the run),
#             what cloud VMs use
#   --icount  instruction counting (-icount shift=0,sleep=off): the guest
#             clock advances 1 ns per executed instruction, so timings
#             follow what the guest executes, not how busy the host is;
#             implies --cpus 1 unless --cpus is given (Debian 6.1 stops at
#             SMP bring-up under icount with 2 vCPUs)
# Environment: GUEST_DMESG_OUT=PATH  copy the guest's dmesg to PATH;
#              PL_GUEST_APPEND=ARGS  kernel arguments (default of --append);
#              PL_GUEST_PMEM=memmap|virtio  default of --pmem;
#              PL_GUEST_ROOTFS=9p|virtiofs  override the transport chosen
#              from the kernel's config;
#              PL_GUEST_USERLAND=host  the host's root as the userland
#              instead of the kernel's release root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
RIG_FAIL=125
# Two non-adjacent legacy pmem ranges inside guest RAM: /dev/pmem0, pmem1.
PMEM="memmap=512M!1G memmap=512M!2G"
MIN_MEM=2560

usage() {
	sed -n '/^# Usage:/,/^# Environment:/s/^# //p' "$0" >&2
	exit 2
}

# fail REASON: report a rig failure with the console tail and exit.
fail() {
	echo "guest: FAIL: $1" >&2
	echo "guest: last 40 lines of the console:" >&2
	tail -n 40 "$OUT/console" >&2 || true
	exit $RIG_FAIL
}

# ensure_initramfs: build the cached initramfs for the current inputs.
# Named by their hash: clones and worktrees sharing a cache (or running
# side by side with different rig scripts) never use each other's image.
ensure_initramfs() {
	local h
	h=$(cat "$ROOT/scripts/mkinitramfs.sh" "$ROOT/scripts/guest-init.sh" |
		sha1sum | cut -c1-12)
	INITRD=$KDIR/initramfs-$h.cpio.gz
	if [ ! -f "$INITRD" ]; then
		"$ROOT/scripts/mkinitramfs.sh" "$KVER" "$INITRD"
	fi
}

# choose_rootfs: ROOTFS, how the host root reaches the guest: 9p when the
# kernel has it, else virtio-fs.
choose_rootfs() {
	local config=$KDIR/root/boot/config-$KVER
	ROOTFS=${PL_GUEST_ROOTFS:-}
	if [ -z "$ROOTFS" ]; then
		if grep -qE '^CONFIG_NET_9P_VIRTIO=[ym]' "$config"; then
			ROOTFS=9p
		elif grep -qE '^CONFIG_VIRTIO_FS=[ym]' "$config"; then
			ROOTFS=virtiofs
		else
			echo "guest: $KVER has neither CONFIG_NET_9P_VIRTIO nor CONFIG_VIRTIO_FS" >&2
			exit $RIG_FAIL
		fi
	fi
	case $ROOTFS in
	9p|virtiofs) ;;
	*) echo "guest: PL_GUEST_ROOTFS must be 9p or virtiofs" >&2; exit 2 ;;
	esac
}

# choose_userland: REL, the Debian release KVER belongs to, and USERLAND,
# the root of that release (scripts/releases.sh) the guest runs as its
# userland: that release's bash, bpftrace, perf, libbpf.  A kernel of no
# release (the debug kernel), or PL_GUEST_USERLAND=host, runs the host's.
choose_userland() {
	REL=$(cat "$KDIR/.release" 2>/dev/null || :)
	USERLAND=
	[ -n "$REL" ] && [ "${PL_GUEST_USERLAND:-release}" != host ] || return 0
	USERLAND=$CACHE/roots/$REL
	[ -f "$USERLAND/.complete" ] ||
		{ echo "guest: no $REL root in $CACHE/roots (run scripts/provision.sh)" >&2; exit $RIG_FAIL; }
	USERLAND=$(cd "$USERLAND" && pwd -P)
}

# virtiofsd_start TAG DIR [ro]: serve DIR on $VFS/TAG.sock; with ro, from
# a read-only bind mount in a mount namespace of its own (virtiofsd
# has no read-only mode).  Sets QEMU_SHARES.
# QEMU's own (C, Debian 12) or the virtiofsd package's (Rust, Debian 13).
VIRTIOFSD=$(for p in /usr/libexec/virtiofsd /usr/lib/qemu/virtiofsd; do
		[ -x "$p" ] && echo "$p" && break; done)
# vfs_opts DIR CACHE: the daemon's options for DIR in its dialect.
vfs_opts() {
	if [ "$VIRTIOFSD" = /usr/libexec/virtiofsd ]; then
		echo "--shared-dir=$1 --cache=${2/none/never} --sandbox=chroot --log-level=error"
	else
		echo "-o source=$1 -o cache=$2 -o sandbox=chroot -o log_level=err"
	fi
}
virtiofsd_start() {
	local tag=$1 dir=$2 sock=$VFS/$1.sock src
	if [ "${3:-}" = ro ]; then
		src=$VFS/$tag.ro
		mkdir -p "$src"
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare -m --propagation private sh -c '
			mount --rbind "$1" "$2" && mount -o remount,bind,ro "$2" || exit 1
			findmnt -Rrn -o TARGET "$2" | tail -n +2 | while read -r m; do
				mount -o remount,bind,ro "$m" 2>/dev/null || :
			done
			exec "$3" --socket-path="$4" $5' \
			sh "$dir" "$src" "$VIRTIOFSD" "$sock" "$(vfs_opts "$src" auto)" > "$VFS/$tag.log" 2>&1 &
	else
		# shellcheck disable=SC2046 # options, one word each
		"$VIRTIOFSD" --socket-path="$sock" $(vfs_opts "$dir" none) > "$VFS/$tag.log" 2>&1 &
	fi
	VFS_PIDS+=($!)
	local n=0
	while [ ! -S "$sock" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -S "$sock" ] || { cat "$VFS/$tag.log" >&2; fail "virtiofsd for $tag did not start"; }
	QEMU_SHARES+=(-chardev "socket,id=vfs-$tag,path=$sock"
		      -device "vhost-user-fs-pci,chardev=vfs-$tag,tag=$tag")
}

# setup_shares: QEMU_SHARES (and QEMU_MEM) for the host root and out.
setup_shares() {
	QEMU_SHARES=() VFS_PIDS=()
	QEMU_MEM=(-m "$MEM")
	if [ "$ROOTFS" = 9p ]; then
		# shellcheck disable=SC2054 # commas separate QEMU suboptions
		QEMU_SHARES=(
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
		-fsdev local,id=out,path="$OUT",security_model=none
		-device virtio-9p-pci,fsdev=out,mount_tag=out)
		return 0
	fi
	# vhost-user needs guest RAM the daemons can map.
	QEMU_MEM+=(-object "memory-backend-memfd,id=ram,size=${MEM}M,share=on"
		   -machine memory-backend=ram)
	virtiofsd_start hostroot / ro
	virtiofsd_start out "$OUT"
}

# setup_pmem: PMEM_APPEND and QEMU_PMEM for the chosen --pmem backend.
setup_pmem() {
	QEMU_PMEM=()
	if [ "$PMEM_BACKEND" = memmap ]; then
		PMEM_APPEND=$PMEM
		return 0
	fi
	PMEM_APPEND=plrig.pmem=virtio
	# Hot-pluggable memory space for the two devices.
	QEMU_MEM[1]="$MEM,slots=2,maxmem=$((MEM + 1024))M"
	# Backing files in RAM (tmpfs) where there is room: on disk, host
	# writeback of the shared mapping slows a filling guest down by
	# minutes.
	PMEM_DIR=$VFS
	if [ "$(df -Pm /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 2048 ] 2>/dev/null; then
		PMEM_DIR=$(mktemp -d /dev/shm/guest-pmem.XXXXXX)
	fi
	local i
	for i in 0 1; do
		truncate -s 512M "$PMEM_DIR/pmem$i.img"
		QEMU_PMEM+=(-object "memory-backend-file,id=pmem$i,share=on,mem-path=$PMEM_DIR/pmem$i.img,size=512M"
			    -device "virtio-pmem-pci,memdev=pmem$i,id=vpmem$i")
	done
}

# run_qemu: boot the guest; console to stdout and $OUT/console.
# thread=single: multi-threaded TCG (QEMU 7.2) runs stale code across
# vCPUs while the kernel live-patches text (static keys, tracepoints,
# kprobes), giving spurious "Oops: int3" panics and lockups.  qboot: quiet
# and faster than SeaBIOS.  --icount: shift=0 is one instruction per
# virtual ns; sleep=off lets an idle guest's clock run ahead instead of
# waiting for the host clock (it needs thread=single, which we use anyway).
run_qemu() {
	local append="console=ttyS0 panic=-1 quiet loglevel=4 $PMEM_APPEND $APPEND"
	local icount=()
	[ -z "$ICOUNT" ] || icount=(-icount shift=0,sleep=off)
	[ "$ROOTFS" = 9p ] || append+=" plrig.root=$ROOTFS"
	set +e
	timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
		-accel tcg,thread=single "${icount[@]}" \
		-cpu max -smp "$CPUS" "${QEMU_MEM[@]}" \
		-nodefaults -no-user-config -nographic -serial stdio \
		-no-reboot -bios /usr/share/qemu/qboot.rom \
		-kernel "$KDIR/vmlinuz" -initrd "$INITRD" -append "$append" \
		"${QEMU_SHARES[@]}" "${QEMU_PMEM[@]}" \
		</dev/null | sed -u 's/\r$//' | tee -p "$OUT/console"
	QEMU_RC=${PIPESTATUS[0]}
	set -e
}

# cleanup: stop this run's virtiofsd (they exit with QEMU; not waited on
# forever) and remove its temporary directories.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local p
	for p in "${VFS_PIDS[@]}"; do
		kill "$p" 2>/dev/null || :
	done
	wait 2>/dev/null || :
	rm -rf "$OUT" "$VFS" "$PMEM_DIR"
}

main() {
	KVER='' TIMEOUT=600 MEM=3072 CPUS='' APPEND=${PL_GUEST_APPEND:-}
	ICOUNT='' PMEM_BACKEND=${PL_GUEST_PMEM:-memmap}
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel)	KVER=$2; shift 2 ;;
		--timeout)	TIMEOUT=$2; shift 2 ;;
		--mem)		MEM=$2; shift 2 ;;
		--cpus)		CPUS=$2; shift 2 ;;
		--append)	APPEND=$2; shift 2 ;;
		--icount)	ICOUNT=1; shift ;;
		--pmem)		PMEM_BACKEND=$2; shift 2 ;;
		--)		shift; break ;;
		*)		usage ;;
		esac
	done
	if [ -z "$KVER" ] || [ $# -eq 0 ]; then
		usage
	fi
	[ -n "$CPUS" ] || CPUS=$([ -n "$ICOUNT" ] && echo 1 || echo 2)
	case $PMEM_BACKEND in
	memmap)	[ "$MEM" -ge $MIN_MEM ] ||
		{ echo "guest: --mem must be >= $MIN_MEM (pmem at 1G and 2G)" >&2; exit 2; } ;;
	virtio)	;;
	*)	usage ;;
	esac
	KDIR=$CACHE/$KVER
	[ -f "$KDIR/.complete" ] ||
		{ echo "guest: no kernel $KVER in $CACHE (run scripts/provision.sh)" >&2; exit $RIG_FAIL; }
	choose_rootfs
	choose_userland
	ensure_initramfs

	OUT=$(mktemp -d "${TMPDIR:-/tmp}/guest-out.XXXXXX")
	# Sockets and pmem backing files: not in the guest's view of OUT.
	VFS=$(mktemp -d "${TMPDIR:-/tmp}/guest-dev.XXXXXX")
	VFS_PIDS=() PMEM_DIR=
	trap 'cleanup' EXIT
	# One argument is a shell command line; several are an argv.
	if [ $# -eq 1 ]; then
		printf '%s\n' "$1" > "$OUT/cmd"
	else
		printf '%q ' "$@" > "$OUT/cmd"
	fi
	pwd -P > "$OUT/cwd"
	# The guest mounts its own /tmp and /run: a clone (or cache) living
	# there stays visible (scripts/guest-init.sh, out/keep).
	# With a release's userland, the clone, cache and current directory
	# are carried into it wherever they are.
	: > "$OUT/keep"
	for d in "$(cd "$ROOT" && pwd -P)" "$(cd "$CACHE" && pwd -P)" "$(pwd -P)"; do
		case $d in
		/tmp/*|/run/*) ;;
		*) [ -n "$USERLAND" ] || continue ;;
		esac
		while read -r k; do
			case $d/ in "$k"/*) continue 2 ;; esac
		done < "$OUT/keep"
		echo "$d" >> "$OUT/keep"
	done
	echo "$USERLAND" > "$OUT/userland"
	echo "$REL" > "$OUT/release"
	readlink -f "$KDIR/modules" > "$OUT/moddir"

	setup_shares
	setup_pmem
	run_qemu
	if [ -n "${GUEST_DMESG_OUT:-}" ] && [ -f "$OUT/dmesg" ]; then
		cp "$OUT/dmesg" "$GUEST_DMESG_OUT"
	fi
	[ "$QEMU_RC" -eq 124 ] || [ "$QEMU_RC" -eq 137 ] &&
		fail "timeout after $TIMEOUT s"
	panic=$(grep -m1 -o 'Kernel panic - not syncing.*' "$OUT/console") &&
		fail "kernel panic ($panic)"
	[ -f "$OUT/error" ] && fail "guest setup: $(cat "$OUT/error")"
	[ -s "$OUT/rc" ] || fail "no exit status (qemu exit $QEMU_RC)"
	# Oops (D, bit 7) or WARN (W, bit 9): the test decides; just say so.
	if [ $(( $(cat "$OUT/tainted") & (1 << 7 | 1 << 9) )) -ne 0 ]; then
		echo "guest: warning: kernel tainted $(cat "$OUT/tainted") (oops/WARN), see dmesg" >&2
	fi
	exit "$(cat "$OUT/rc")"
}

main "$@"
