#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - run a command inside a QEMU (TCG) guest booted on a stock
# Debian kernel unpacked by scripts/provision.sh.
#
# The guest sees the host root read-only (9p, under a tmpfs overlay, so it
# may write anywhere; writes are lost; the clone and cache stay visible
# wherever they are, /tmp included), the kernel's own modules (modprobe
# works), two emulated pmem devices formatted and mounted with DAX at
# /mnt/ext4dax (ext4, -o dax) and /mnt/xfsdax (xfs, -o dax=always), and a
# writable per-run directory at /run/guest-out.  COMMAND runs with bash -c
# in the current directory (one argument: a shell command line; several: a
# command and its arguments, quoted as given), with PINLEDGER_GUEST=1 and
# PINLEDGER_KVER set.  Its output and the guest console stream to stdout;
# guest.sh exits with its status.  A guest that hangs, panics or fails to
# boot makes guest.sh print "guest: FAIL: <reason>" and the console tail on
# stderr and exit 125.
#
# Usage: scripts/guest.sh --kernel KVER [--timeout SECS] [--mem MB]
#                         [--cpus N] [--append ARGS] [--icount] -- COMMAND...
#   --icount  instruction counting (-icount shift=0,sleep=off): the guest
#             clock advances 1 ns per executed instruction, so timings
#             follow what the guest executes, not how busy the host is;
#             implies --cpus 1 unless --cpus is given (Debian 6.1 stops at
#             SMP bring-up under icount with 2 vCPUs)
# Environment: GUEST_DMESG_OUT=PATH  copy the guest's dmesg to PATH;
#              PL_GUEST_APPEND=ARGS  kernel arguments (default of --append).
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

# ensure_initramfs: (re)build the cached initramfs when its inputs change.
ensure_initramfs() {
	INITRD=$KDIR/initramfs.cpio.gz
	if [ ! -f "$INITRD" ] ||
	   [ "$ROOT/scripts/mkinitramfs.sh" -nt "$INITRD" ] ||
	   [ "$ROOT/scripts/guest-init.sh" -nt "$INITRD" ]; then
		"$ROOT/scripts/mkinitramfs.sh" "$KVER" "$INITRD"
	fi
}

# run_qemu: boot the guest; console to stdout and $OUT/console.
# thread=single: multi-threaded TCG (QEMU 7.2) runs stale code across
# vCPUs while the kernel live-patches text (static keys, tracepoints,
# kprobes), giving spurious "Oops: int3" panics and lockups.  qboot: quiet
# and faster than SeaBIOS.  --icount: shift=0 is one instruction per
# virtual ns; sleep=off lets an idle guest's clock run ahead instead of
# waiting for the host clock (it needs thread=single, which we use anyway).
run_qemu() {
	local append="console=ttyS0 panic=-1 quiet loglevel=4 $PMEM $APPEND"
	local icount=()
	[ -z "$ICOUNT" ] || icount=(-icount shift=0,sleep=off)
	set +e
	timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
		-accel tcg,thread=single "${icount[@]}" \
		-cpu max -smp "$CPUS" -m "$MEM" \
		-nodefaults -no-user-config -nographic -serial stdio \
		-no-reboot -bios /usr/share/qemu/qboot.rom \
		-kernel "$KDIR/vmlinuz" -initrd "$INITRD" -append "$append" \
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
		-fsdev local,id=out,path="$OUT",security_model=none \
		-device virtio-9p-pci,fsdev=out,mount_tag=out \
		</dev/null | sed -u 's/\r$//' | tee -p "$OUT/console"
	QEMU_RC=${PIPESTATUS[0]}
	set -e
}

main() {
	KVER='' TIMEOUT=600 MEM=3072 CPUS='' APPEND=${PL_GUEST_APPEND:-}
	ICOUNT=''
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel)	KVER=$2; shift 2 ;;
		--timeout)	TIMEOUT=$2; shift 2 ;;
		--mem)		MEM=$2; shift 2 ;;
		--cpus)		CPUS=$2; shift 2 ;;
		--append)	APPEND=$2; shift 2 ;;
		--icount)	ICOUNT=1; shift ;;
		--)		shift; break ;;
		*)		usage ;;
		esac
	done
	if [ -z "$KVER" ] || [ $# -eq 0 ]; then
		usage
	fi
	[ -n "$CPUS" ] || CPUS=$([ -n "$ICOUNT" ] && echo 1 || echo 2)
	[ "$MEM" -ge $MIN_MEM ] ||
		{ echo "guest: --mem must be >= $MIN_MEM (pmem at 1G and 2G)" >&2; exit 2; }
	KDIR=$CACHE/$KVER
	[ -f "$KDIR/.complete" ] ||
		{ echo "guest: no kernel $KVER in $CACHE (run scripts/provision.sh)" >&2; exit $RIG_FAIL; }
	ensure_initramfs

	OUT=$(mktemp -d "${TMPDIR:-/tmp}/guest-out.XXXXXX")
	trap 'rm -rf "$OUT"' EXIT
	# One argument is a shell command line; several are an argv.
	if [ $# -eq 1 ]; then
		printf '%s\n' "$1" > "$OUT/cmd"
	else
		printf '%q ' "$@" > "$OUT/cmd"
	fi
	pwd -P > "$OUT/cwd"
	# The guest mounts its own /tmp and /run: a clone (or cache) living
	# there stays visible (scripts/guest-init.sh, out/keep).
	: > "$OUT/keep"
	for d in "$(cd "$ROOT" && pwd -P)" "$(cd "$CACHE" && pwd -P)" "$(pwd -P)"; do
		case $d in
		/tmp/*|/run/*)
			while read -r k; do
				case $d/ in "$k"/*) continue 2 ;; esac
			done < "$OUT/keep"
			echo "$d" >> "$OUT/keep" ;;
		esac
	done
	readlink -f "$KDIR/modules" > "$OUT/moddir"

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
