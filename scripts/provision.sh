#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# provision.sh - bring this machine to where pinledger builds and tests.
#
# Idempotent.  Installs the host tools the rig needs (with this release's
# package names), then, for every release of scripts/releases.conf,
# through a private apt configuration (scripts/releases.sh; the host's apt
# sources are never read or changed for this):
#   - resolves the newest generic kernel of the release's default series
#     (the newest with a signed image), fetches image, headers, their
#     -common and kbuild with "apt-get download" and unpacks them with
#     "dpkg -x" under $CACHE/KVER (never installed on this machine);
#   - builds the release root ($CACHE/roots/CODENAME), where that
#     release's modules and tools are built and which its guests run as
#     their userland.
# Writes $CACHE/kernels.env: KCHECK, make check's kernels in releases.conf
# order, and KNEWEST, the last of them.  Each fetched kernel's release is
# in $CACHE/KVER/.release.
#
# --matrix (make check-matrix) also resolves and fetches every series of
# every release in its generic, cloud-amd64 and rt-amd64 flavours (the
# newest with a signed image) and the headers alone of every other release
# of them the archive still serves (build only: $CACHE/KVER/.headers
# instead of .complete).  Writes $CACHE/matrix.env: MATRIX_BOOT
# ("flavour:KVER" words) and BUILD_ONLY.
#
# Usage: scripts/provision.sh [--tools-only|--matrix]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd -P)
# shellcheck source=scripts/releases.sh
. "$ROOT/scripts/releases.sh"

log() { printf 'provision: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

HOST_PKGS=(qemu-system-x86 busybox-static e2fsprogs xfsprogs kmod cpio
	   xz-utils zstd gcc make libc6-dev dkms bc libelf-dev file
	   binutils liburing-dev fio gnuplot-nox
	   clang llvm libbpf-dev bpftool zlib1g-dev
	   linux-perf trace-cmd bpftrace jq pahole procps openssl
	   build-essential debhelper dh-dkms dpkg-dev debootstrap
	   debian-archive-keyring util-linux)
# What a release calls differently or splits out: HOST_PKGS_<codename>.
HOST_PKGS_trixie=(virtiofsd)

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	# Refresh when the lists are missing or older than a day.
	if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' \
		  -mmin -1440 2>/dev/null | head -1)" ]; then
		log "apt-get update"
		apt-get update -qq >&2 || die "apt-get update failed"
	fi
	apt_updated=1
}

install_tools() {
	local missing=() p c extra
	c=$(host_codename)
	case " $(rel_codenames | tr '\n' ' ') " in
	*" $c "*) ;;
	*) log "note: this host runs '${c:-unknown}', not a release of scripts/releases.conf; using Debian 12's package names" ;;
	esac
	extra="HOST_PKGS_${c}[@]"
	for p in "${HOST_PKGS[@]}" ${!extra+"${!extra}"}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	apt_update_once
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install of the host tools failed: ${missing[*]}"
}

# fetch_kernel KVER CODENAME [--headers]: unpack image, modules, headers
# and kbuild of KVER; with --headers only headers and kbuild (a build-only
# target, marked .headers; a booted one is marked .complete).
fetch_kernel() {
	local kver=$1 rel=$2 dir=$CACHE/$1 img='' hdr common kbuild d tmp mark=.complete
	[ "${3:-}" = --headers ] && mark=.headers
	if [ -f "$dir/.complete" ] || [ -f "$dir/$mark" ]; then
		[ -s "$dir/.release" ] || echo "$rel" > "$dir/.release"
		return 0
	fi
	if [ $mark = .complete ]; then
		img=linux-image-$kver
		papt apt-cache show "$img" >/dev/null 2>&1 || img=$img-unsigned
		# Debian 14 splits the image: linux-image-KVER only depends on
		# linux-binary-KVER (vmlinuz), linux-modules-KVER and linux-base-KVER.
		img="$img $(papt apt-cache depends "$img" |
			sed -n "s/^ *Depends: \(linux-\(base\|binary\|modules\)-$kver\)\$/\1/p" |
			paste -sd ' ')"
	fi
	hdr=linux-headers-$kver
	# -common, or -common-rt for the rt flavour.
	common=$(papt apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-headers-.*-common\(-rt\)\{0,1\}\)$/\1/p' | head -1)
	kbuild=$(papt apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-kbuild-.*\)$/\1/p' | head -1)
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		die "cannot resolve the dependencies of $hdr ($rel)"
	log "fetching $img $hdr $common $kbuild"
	rm -rf "$dir"
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	# shellcheck disable=SC2086 # no image for a build-only target
	(cd "$tmp" && papt apt-get download -qq $img "$hdr" "$common" "$kbuild" >&2) ||
		{ rm -rf "$tmp"; die "apt-get download of $kver failed"; }
	mkdir -p "$dir/root"
	for d in "$tmp"/*.deb; do
		dpkg -x "$d" "$dir/root"
	done
	rm -rf "$tmp"
	merged_usr "$kver"
	boot_links "$kver"
	ln -sf "root/usr/src/linux-headers-$kver" "$dir/build"
	test -f "$dir/root/usr/src/linux-headers-$kver/Makefile" ||
		die "$hdr has no Makefile"
	if [ $mark = .complete ]; then
		# Debian's image installs the kernel as /boot/vmlinuz-KVER.
		ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
		ln -sf "root/lib/modules/$kver" "$dir/modules"
	fi
	echo "$rel" > "$dir/.release"
	touch "$dir/$mark"
}

# merged_usr KVER: Debian 13's packages install modules under /usr/lib
# (merged /usr); give the unpacked tree the /lib -> usr/lib link a merged
# system has, so that modules/, depmod -b and the guest find them.
merged_usr() {
	local r=$CACHE/$1/root
	[ -e "$r/lib" ] || [ ! -d "$r/usr/lib/modules" ] || ln -s usr/lib "$r/lib"
}

# boot_links KVER: Debian 14's linux-binary/linux-modules packages install
# vmlinuz, config and System.map under /usr/lib/modules/KVER, not /boot;
# give the unpacked tree the /boot names the rig reads.
boot_links() {
	local r=$CACHE/$1/root f
	[ -e "$r/lib/modules/$1/vmlinuz" ] && [ ! -e "$r/boot/vmlinuz-$1" ] || return 0
	mkdir -p "$r/boot"
	for f in vmlinuz config System.map; do
		[ -e "$r/lib/modules/$1/$f" ] && ln -sf "../lib/modules/$1/$f" "$r/boot/$f-$1"
	done
	return 0
}

# fix_headers KVER: the headers Makefile includes the -common (-common-rt)
# tree by absolute path; point it at the unpacked copy in this cache, by
# its physical path (what a build in a release's root sees; again if the
# cache moved or was reached through a link).
fix_headers() {
	local dir=$CACHE/$1 mk inc
	mk=$dir/root/usr/src/linux-headers-$1/Makefile
	# Debian 14's also sets KBUILD_OUTPUT to its own installed path.
	grep -q "^KBUILD_OUTPUT=$dir/" "$mk" ||
		sed -i "s|^KBUILD_OUTPUT=.*/usr/src/\(linux-headers-$1\)\$|KBUILD_OUTPUT=$dir/root/usr/src/\1|" "$mk"
	inc=$(sed -n 's/^include //p' "$mk" | head -1)
	case $inc in "$dir"/root/usr/src/*) return 0 ;; esac
	sed -i "s|^include .*/usr/src/\(linux-headers-[^/]*-common\(-rt\)\{0,1\}/Makefile\)\$|include $dir/root/usr/src/\1|" \
		"$mk"
}

# stale FILE: true if FILE must be (re)written: missing, empty, asked for
# (PINLEDGER_RESOLVE=1), a day old, or older than releases.conf.
stale() {
	[ ! -s "$1" ] || [ "${PINLEDGER_RESOLVE:-}" = 1 ] ||
	[ -n "$(find "$1" -mmin +1440)" ] || [ "$RELEASES_CONF" -nt "$1" ]
}

# resolve_kernels: kernels.env, the newest generic kernel of each
# release's default series.
resolve_kernels() {
	local c s k all=''
	for c in $(rel_codenames); do
		s=$(rel_series "$c" | head -1)
		k=$(newest_kernel "$s" '')
		[ -n "$k" ] || die "no kernel of series $s in $c (private apt lists in $PAPT_DIR)"
		all+="$k:$c "
	done
	{
		echo "# written by scripts/provision.sh from scripts/releases.conf"
		all=${all% }
		echo "KCHECK_REL=\"$all\""
		all=$(for k in $all; do printf '%s\n' "${k%%:*}"; done | paste -sd ' ')
		echo "KCHECK=\"$all\""
		echo "KNEWEST=${all##* }"
	} > "$CACHE/kernels.env.new"
	mv "$CACHE/kernels.env.new" "$CACHE/kernels.env"
	log "kernels: $(echo $all)"
}

# served PKG: true if the archive serves PKG.
served() {
	[ -n "$(papt apt-cache madison "$1" 2>/dev/null)" ]
}

# resolve_matrix: matrix.env - MATRIX_BOOT, "flavour:KVER:CODENAME" for
# every series and flavour of every release (newest signed image), and
# BUILD_ONLY, "KVER:CODENAME" for every other release of them served.
resolve_matrix() {
	local c s f k p boot='' only='' re
	for c in $(rel_codenames); do
		for s in $(rel_series "$c"); do
			for f in generic cloud rt; do
				k=$(newest_kernel "$s" "${f#generic}")
				[ -n "$k" ] || die "no $f kernel of series $s in $c"
				boot+="$f:$k:$c "
			done
			re=$(series_regex "$s" '')
			re="${re%-amd64}-((cloud|rt)-)?amd64"
			for p in $(papt apt-cache pkgnames linux-headers- | grep -E "^linux-headers-$re\$" | sort -V); do
				k=${p#linux-headers-}
				case " $boot" in *":$k:"*) continue ;; esac
				served "$p" && only+="$k:$c "
			done
		done
	done
	printf 'MATRIX_BOOT="%s"\nBUILD_ONLY="%s"\n' "${boot% }" "${only% }" > "$CACHE/matrix.env.new"
	mv "$CACHE/matrix.env.new" "$CACHE/matrix.env"
	log "matrix: $(echo $boot) (and $(echo $only | wc -w) build-only)"
}

main() {
	local kc c k f
	install_tools
	[ "${1:-}" = --tools-only ] && return 0
	papt_update || die "cannot read the Debian archive's lists ($(host_mirror))"
	if stale "$CACHE/kernels.env"; then
		resolve_kernels
	fi
	# shellcheck source=/dev/null
	. "$CACHE/kernels.env"
	for kc in $KCHECK_REL; do
		fetch_kernel "${kc%%:*}" "${kc#*:}"
		fix_headers "${kc%%:*}"
	done
	for c in $(rel_codenames); do
		relroot_ensure "$c" || die "cannot build the $c root"
	done
	[ "${1:-}" = --matrix ] || return 0
	if stale "$CACHE/matrix.env"; then
		resolve_matrix
	fi
	# shellcheck source=/dev/null
	. "$CACHE/matrix.env"
	for kc in $MATRIX_BOOT; do
		f=${kc%%:*} k=${kc#*:}
		fetch_kernel "${k%%:*}" "${k#*:}"
		fix_headers "${k%%:*}"
	done
	for kc in $BUILD_ONLY; do
		fetch_kernel "${kc%%:*}" "${kc#*:}" --headers
		fix_headers "${kc%%:*}"
	done
}

main "$@"
