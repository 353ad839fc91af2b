#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# provision.sh - bring this machine to where pinledger builds and tests.
#
# Idempotent.  Resolves the newest Debian stock 6.1.0-N-amd64 and
# 6.12.x+deb12-amd64 kernels, fetches image + headers + kbuild with
# "apt-get download" and unpacks them with "dpkg -x" under $CACHE (never
# installs a kernel image on this machine: the 6.12 headers package depends
# on its image, so headers are unpacked, not installed), and installs the
# host tools the rig needs.  Writes $CACHE/kernels.env.
#
# Usage: scripts/provision.sh [--tools-only|--kernels-only]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
mkdir -p "$CACHE"

log() { printf 'provision: %s\n' "$*" >&2; }

HOST_PKGS=(qemu-system-x86 busybox-static e2fsprogs xfsprogs kmod cpio
	   xz-utils zstd gcc make libc6-dev dkms bc libelf-dev file
	   binutils liburing-dev fio gnuplot-nox
	   clang llvm libbpf-dev bpftool zlib1g-dev
	   linux-perf trace-cmd bpftrace jq pahole procps openssl
	   build-essential debhelper dh-dkms dpkg-dev debootstrap)

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	# Refresh when the lists are missing or older than a day.
	if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' \
		  -mmin -1440 2>/dev/null | head -1)" ]; then
		log "apt-get update"
		apt-get update -qq >&2
	fi
	apt_updated=1
}

install_tools() {
	local missing=() p
	for p in "${HOST_PKGS[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	apt_update_once
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >&2
}

# newest_pkg REGEX: newest package name matching REGEX (anchored).
newest_pkg() {
	apt-cache pkgnames linux-image- | grep -E "^$1\$" | sort -V | tail -1
}

# fetch_kernel KVER: unpack image, modules, headers and kbuild of KVER.
fetch_kernel() {
	local kver=$1 dir=$CACHE/$1 img hdr common kbuild d tmp
	if [ -f "$dir/.complete" ]; then
		return 0
	fi
	apt_update_once
	img=linux-image-$kver
	apt-cache show "$img" >/dev/null 2>&1 || img=$img-unsigned
	hdr=linux-headers-$kver
	common=$(apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-headers-.*-common\)$/\1/p' | head -1)
	kbuild=$(apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-kbuild-.*\)$/\1/p' | head -1)
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		{ log "cannot resolve dependencies of $hdr"; return 1; }
	log "fetching $img $hdr $common $kbuild"
	rm -rf "$dir"
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$img" "$hdr" "$common" "$kbuild" >&2)
	mkdir -p "$dir/root"
	for d in "$tmp"/*.deb; do
		dpkg -x "$d" "$dir/root"
	done
	rm -rf "$tmp"
	# Debian's image installs the kernel as /boot/vmlinuz-KVER.
	ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	ln -sf "root/usr/src/linux-headers-$kver" "$dir/build"
	ln -sf "root/lib/modules/$kver" "$dir/modules"
	test -f "$dir/root/usr/src/linux-headers-$kver/Makefile"
	touch "$dir/.complete"
}

# fix_headers KVER: the headers Makefile includes the -common tree by
# absolute path; point it at the unpacked copy (again, if the tree moved).
fix_headers() {
	local dir=$CACHE/$1
	sed -i "s|^include .*/usr/src/\(linux-headers-[^/]*-common/Makefile\)\$|include $dir/root/usr/src/\1|" \
		"$dir/root/usr/src/linux-headers-$1/Makefile"
}

resolve_kernels() {
	apt_update_once
	K61=$(newest_pkg 'linux-image-6\.1\.0-[0-9]+-amd64' | sed 's/^linux-image-//')
	K612=$(newest_pkg 'linux-image-6\.12\.[0-9]+\+deb12-amd64' | sed 's/^linux-image-//')
	[ -n "$K61" ] && [ -n "$K612" ] ||
		{ log "cannot resolve stock kernels from apt"; return 1; }
	printf 'K61=%s\nK612=%s\n' "$K61" "$K612" > "$CACHE/kernels.env.new"
	mv "$CACHE/kernels.env.new" "$CACHE/kernels.env"
	log "kernels: $K61 $K612"
}

main() {
	case "${1:-}" in
	--tools-only)	install_tools; return ;;
	esac
	install_tools
	# Resolve once; re-resolve when asked or when the cache is a day old.
	if [ ! -s "$CACHE/kernels.env" ] || [ "${PINLEDGER_RESOLVE:-}" = 1 ] ||
	   [ -n "$(find "$CACHE/kernels.env" -mmin +1440)" ]; then
		resolve_kernels
	fi
	# shellcheck source=/dev/null
	. "$CACHE/kernels.env"
	fetch_kernel "$K61"
	fetch_kernel "$K612"
	fix_headers "$K61"
	fix_headers "$K612"
}

main "$@"
