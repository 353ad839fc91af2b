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
# --matrix (make check-matrix) also resolves and fetches the cloud-amd64
# and rt-amd64 flavours of both series (the release each flavour's
# metapackage installs: the newest with a signed image, as for the generic
# kernels) and the headers alone of every other 6.1.0-N / 6.12.N+deb12
# release of the three flavours the archive still serves (build only:
# $CACHE/KVER/.headers instead of .complete).  Writes $CACHE/matrix.env.
#
# Usage: scripts/provision.sh [--tools-only|--kernels-only|--matrix]
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

# fetch_kernel KVER [--headers]: unpack image, modules, headers and kbuild
# of KVER; with --headers only headers and kbuild (a build-only target,
# marked .headers; a booted one is marked .complete).
fetch_kernel() {
	local kver=$1 dir=$CACHE/$1 img='' hdr common kbuild d tmp mark=.complete
	[ "${2:-}" = --headers ] && mark=.headers
	if [ -f "$dir/.complete" ] || [ -f "$dir/$mark" ]; then
		return 0
	fi
	apt_update_once
	if [ $mark = .complete ]; then
		img=linux-image-$kver
		apt-cache show "$img" >/dev/null 2>&1 || img=$img-unsigned
	fi
	hdr=linux-headers-$kver
	# -common, or -common-rt for the rt flavour.
	common=$(apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-headers-.*-common\(-rt\)\{0,1\}\)$/\1/p' | head -1)
	kbuild=$(apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-kbuild-.*\)$/\1/p' | head -1)
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		{ log "cannot resolve dependencies of $hdr"; return 1; }
	log "fetching $img $hdr $common $kbuild"
	rm -rf "$dir"
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	# shellcheck disable=SC2086 # no image for a build-only target
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root $img "$hdr" "$common" "$kbuild" >&2)
	mkdir -p "$dir/root"
	for d in "$tmp"/*.deb; do
		dpkg -x "$d" "$dir/root"
	done
	rm -rf "$tmp"
	ln -sf "root/usr/src/linux-headers-$kver" "$dir/build"
	test -f "$dir/root/usr/src/linux-headers-$kver/Makefile"
	if [ $mark = .complete ]; then
		# Debian's image installs the kernel as /boot/vmlinuz-KVER.
		ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
		ln -sf "root/lib/modules/$kver" "$dir/modules"
	fi
	touch "$dir/$mark"
}

# fix_headers KVER: the headers Makefile includes the -common (-common-rt)
# tree by absolute path; point it at the unpacked copy (again, if the tree
# moved; left alone while the path it names exists).
fix_headers() {
	local dir=$CACHE/$1 mk inc
	mk=$dir/root/usr/src/linux-headers-$1/Makefile
	inc=$(sed -n 's/^include //p' "$mk" | head -1)
	[ -n "$inc" ] && [ -f "$inc" ] && return 0
	sed -i "s|^include .*/usr/src/\(linux-headers-[^/]*-common\(-rt\)\{0,1\}/Makefile\)\$|include $dir/root/usr/src/\1|" \
		"$mk"
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

# served PKG: true if the archive serves PKG (apt-cache madison lists it).
served() {
	[ -n "$(apt-cache madison "$1" 2>/dev/null)" ]
}

# resolve_matrix: write $CACHE/matrix.env - the booted kernels of each
# flavour (KCLOUD61 ... KRT612, the same rule as the generic ones: the
# newest release with a signed image) and BUILD_ONLY, every other
# release of the three flavours whose headers the archive serves.
resolve_matrix() {
	local f s k boot=" $K61 $K612 " p
	apt_update_once
	{
		for f in cloud rt; do
			k=$(newest_pkg "linux-image-6\.1\.0-[0-9]+-$f-amd64" | sed 's/^linux-image-//')
			s=$(newest_pkg "linux-image-6\.12\.[0-9]+\+deb12-$f-amd64" | sed 's/^linux-image-//')
			[ -n "$k" ] && [ -n "$s" ] ||
				{ log "cannot resolve $f kernels from apt"; return 1; }
			f=${f^^}
			echo "K${f}61=$k"
			echo "K${f}612=$s"
			boot+="$k $s "
		done
		printf 'BUILD_ONLY="'
		for p in $(apt-cache pkgnames linux-headers- |
			   grep -E '^linux-headers-6\.(1\.0-[0-9]+|12\.[0-9]+\+deb12)-(cloud-|rt-)?amd64$' |
			   sort -V); do
			k=${p#linux-headers-}
			case $boot in *" $k "*) continue ;; esac
			served "$p" && printf '%s ' "$k"
		done
		printf '"\n'
	} > "$CACHE/matrix.env.new"
	mv "$CACHE/matrix.env.new" "$CACHE/matrix.env"
	log "matrix: $(tr '\n' ' ' < "$CACHE/matrix.env")"
}

# provision_matrix: the cloud/rt kernels and the build-only headers.
provision_matrix() {
	local k
	if [ ! -s "$CACHE/matrix.env" ] || [ "${PINLEDGER_RESOLVE:-}" = 1 ] ||
	   [ -n "$(find "$CACHE/matrix.env" -mmin +1440)" ]; then
		resolve_matrix
	fi
	# shellcheck source=/dev/null
	. "$CACHE/matrix.env"
	for k in "$KCLOUD61" "$KCLOUD612" "$KRT61" "$KRT612"; do
		fetch_kernel "$k"
		fix_headers "$k"
	done
	for k in $BUILD_ONLY; do
		fetch_kernel "$k" --headers
		fix_headers "$k"
	done
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
	[ "${1:-}" != --matrix ] || provision_matrix
}

main "$@"
