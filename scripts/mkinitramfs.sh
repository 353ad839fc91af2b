#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh - build the initramfs of the pinledger QEMU guest.
#
# The image holds a static busybox with its applet links, /init (a copy of
# scripts/guest-init.sh) and the stock modules of KVER that the guest needs
# to bring up emulated pmem: decompressed here (busybox insmod cannot read
# .ko.xz) and listed in dependency order, computed from modules.dep, in
# /lib/modules/load.order.  Modules built into KVER (modules.builtin) are
# skipped.  The modules of each optional transport go to lists of their
# own, loaded only when the guest uses it (scripts/guest.sh says which on
# the kernel command line): load.9p (the host root over virtio-9p),
# load.virtiofs (over virtio-fs, for kernels without 9p such as Debian's
# cloud flavour) and load.vpmem (virtio-pmem); a list is left out when
# KVER lacks one of its modules.  Runs depmod on
# the unpacked tree first if modules.dep is missing (the Debian package does
# not ship it; the guest's modprobe needs it too).
#
# Usage: scripts/mkinitramfs.sh KVER [OUTPUT]
#        (default OUTPUT: $CACHE/KVER/initramfs.cpio.gz)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}

# Modules the guest loads, by module name; their dependencies come along.
WANT=(virtio_pci overlay crc32c_generic crc32c_intel nd_e820 nd_pmem ext4 xfs)
# Of WANT, loaded only where the kernel has them: 7.x computes crc32c in
# lib/crc (a dependency of ext4 and xfs) and has no crc32c_generic or
# crc32c_intel.
declare -A IF_PRESENT=([crc32c_generic]=1 [crc32c_intel]=1)
# Optional lists: name and modules.
declare -A OPTIONAL=([9p]="9pnet_virtio 9p" [virtiofs]="virtiofs"
		     [vpmem]="virtio_pmem")

die() { printf 'mkinitramfs: %s\n' "$*" >&2; exit 1; }

# modname PATH: set NAME to the module name of a modules.dep path.
modname() {
	NAME=${1##*/}
	NAME=${NAME%%.ko*}
	NAME=${NAME//-/_}
}

# ensure_depmod: generate modules.dep for the unpacked kernel if needed.
ensure_depmod() {
	[ "$MODDIR/modules.dep" -nt "$MODDIR/modules.order" ] && return 0
	echo "mkinitramfs: depmod $KVER" >&2
	depmod -b "$KDIR/root" -F "$KDIR/root/boot/System.map-$KVER" "$KVER"
}

# load_deps: fill DEPS[name] and FILE[name] from modules.dep and BUILTIN.
declare -A DEPS FILE BUILTIN SEEN
load_deps() {
	local mod deps d n NAME
	while read -r mod; do
		modname "$mod"
		BUILTIN[$NAME]=1
	done < "$MODDIR/modules.builtin"
	while IFS=: read -r mod deps; do
		modname "$mod"
		n=$NAME
		FILE[$n]=$mod
		DEPS[$n]=
		for d in $deps; do
			modname "$d"
			DEPS[$n]+=" $NAME"
		done
	done < "$MODDIR/modules.dep"
}

# available NAME: true if NAME and all of its dependencies are modules of
# KVER or built into it.
available() {
	local d
	[ -n "${BUILTIN[$1]:-}" ] && return 0
	[ -n "${FILE[$1]:-}" ] || return 1
	for d in ${DEPS[$1]}; do
		available "$d" || return 1
	done
}

# visit NAME: append NAME to ORDER after all of its dependencies.
ORDER=()
visit() {
	local n=$1 d
	[ -n "${SEEN[$n]:-}" ] && return 0
	SEEN[$n]=1
	if [ -n "${BUILTIN[$n]:-}" ]; then
		return 0
	fi
	[ -n "${FILE[$n]:-}" ] || die "module $n not found in $KVER"
	for d in ${DEPS[$n]}; do
		visit "$d"
	done
	ORDER+=("$n")
}

# install_module NAME [LIST]: copy NAME's .ko, decompressed, into the
# image and append it to LIST (default load.order).
install_module() {
	local src=$MODDIR/${FILE[$1]} dst=$STAGE/lib/modules/$1.ko
	case $src in
	*.ko.xz)	xz -dc "$src" > "$dst" ;;
	*.ko.zst)	zstd -qdc "$src" > "$dst" ;;
	*.ko.gz)	gzip -dc "$src" > "$dst" ;;
	*.ko)		cp "$src" "$dst" ;;
	*)		die "unknown module format: $src" ;;
	esac
	echo "$1.ko" >> "$STAGE/lib/modules/${2:-load.order}"
}

main() {
	[ $# -ge 1 ] || die "usage: $0 KVER [OUTPUT]"
	KVER=$1
	KDIR=$CACHE/$KVER
	MODDIR=$(readlink -f "$KDIR/modules")
	local out=${2:-$KDIR/initramfs.cpio.gz} n a l ok
	[ -f "$KDIR/.complete" ] || die "$KDIR missing: run scripts/provision.sh"
	ensure_depmod
	load_deps
	for n in "${WANT[@]}"; do
		[ -z "${IF_PRESENT[$n]:-}" ] || available "$n" || continue
		visit "$n"
	done
	local base=${#ORDER[@]}
	# Each optional list gets all it needs beyond load.order, even what
	# another list has too: a list is loaded alone.
	declare -A LISTS=() BASESEEN=()
	for n in "${!SEEN[@]}"; do
		BASESEEN[$n]=1
	done
	for l in "${!OPTIONAL[@]}"; do
		SEEN=()
		for n in "${!BASESEEN[@]}"; do
			SEEN[$n]=1
		done
		ok=1
		for n in ${OPTIONAL[$l]}; do
			available "$n" || ok=
		done
		[ -n "$ok" ] || continue
		local from=${#ORDER[@]}
		for n in ${OPTIONAL[$l]}; do
			visit "$n"
		done
		LISTS[$l]="${ORDER[*]:$from}"
	done

	STAGE=$(mktemp -d)
	trap 'rm -rf "$STAGE"' EXIT
	mkdir -p "$STAGE"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$STAGE/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$STAGE/bin/$a"
	done
	install -m 755 "$ROOT/scripts/guest-init.sh" "$STAGE/init"
	: > "$STAGE/lib/modules/load.order"
	for n in "${ORDER[@]:0:$base}"; do
		install_module "$n"
	done
	for l in "${!LISTS[@]}"; do
		: > "$STAGE/lib/modules/load.$l"
		for n in ${LISTS[$l]}; do
			if [ -f "$STAGE/lib/modules/$n.ko" ]; then
				echo "$n.ko" >> "$STAGE/lib/modules/load.$l"
			else
				install_module "$n" "load.$l"
			fi
		done
	done
	# The kernel's built-in initramfs has /dev/console; add it if we can.
	mknod -m 600 "$STAGE/dev/console" c 5 1 2>/dev/null || true

	(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
		gzip -6 > "$out.tmp.$$"
	mv "$out.tmp.$$" "$out"
	echo "mkinitramfs: $out (${ORDER[*]:0:$base}$(for l in "${!LISTS[@]}"; do
		printf '; %s: %s' "$l" "${LISTS[$l]:-built in}"; done))" >&2
}

main "$@"
