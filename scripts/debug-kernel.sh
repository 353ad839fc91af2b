#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build and cache the pinledger debug kernel.
#
# Builds Debian's 6.12 source (package linux-source-6.12, fetched with
# "apt-get download" and unpacked under $CACHE/src, never installed) with
# x86_64_defconfig + kvm_guest.config + scripts/debug-kernel.config: what
# the QEMU guests need plus KASAN, lockdep (PROVE_LOCKING),
# DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, KFENCE and fault injection (failslab).
# The result has the layout scripts/provision.sh gives a stock kernel, so
# scripts/guest.sh, scripts/mkinitramfs.sh and "make KVER=..." use it as
# they are:
#   $CACHE/<kver>/vmlinuz     -> root/boot/vmlinuz-<kver>
#   $CACHE/<kver>/modules     -> root/lib/modules/<kver> (modules_install)
#   $CACHE/<kver>/build       -> obj (the O= build tree, a kbuild dir;
#                                also root/usr/src/linux-headers-<kver>)
#   $CACHE/<kver>/.complete, .config-key
# and $CACHE/debug-kernel.env holds KDEBUG=<kver>.
#
# Cached: nothing is built when .complete exists and the key (hash of the
# config fragment, the kvm_guest fragment and the source package version)
# is unchanged.  A changed key rebuilds incrementally in the same obj tree;
# an interrupted build resumes where it stopped when run again.  One build
# at a time ($CACHE/debug-kernel.lock; a second caller waits).  The build
# runs under "nice -n 19" with -j$PL_DEBUG_JOBS (default 2); its wall time,
# from the first start for this key to the end (interruptions included),
# is logged and kept in <kver>/build-seconds.
#
# Usage: scripts/debug-kernel.sh [--force]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
FRAGMENT=$ROOT/scripts/debug-kernel.config
SRCPKG=linux-source-6.12
JOBS=${PL_DEBUG_JOBS:-2}
TOOLS=(flex bison bc libelf-dev libssl-dev cpio xz-utils gcc make)

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# install_tools: host packages the kernel build needs.
install_tools() {
	local missing=() p
	for p in "${TOOLS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >&2
}

# fetch_source: unpack linux-source-6.12 into $SRC once; sets SRC, SRCVER.
fetch_source() {
	local deb tmp
	mkdir -p "$CACHE/src"
	deb=$(ls "$CACHE/src/$SRCPKG"_*.deb 2>/dev/null | sort -V | tail -1 || true)
	if [ -z "$deb" ]; then
		log "fetching $SRCPKG"
		(cd "$CACHE/src" && apt-get download -qq -o APT::Sandbox::User=root "$SRCPKG" >&2)
		deb=$(ls "$CACHE/src/$SRCPKG"_*.deb | sort -V | tail -1)
	fi
	SRCVER=$(dpkg-deb -f "$deb" Version)
	SRC=$CACHE/src/$SRCPKG
	[ -f "$SRC/.unpacked-$SRCVER" ] && return 0
	log "unpacking $SRCPKG $SRCVER"
	rm -rf "$SRC"
	tmp=$(mktemp -d "$CACHE/src/x.XXXXXX")
	dpkg -x "$deb" "$tmp"
	tar -xf "$tmp/usr/src/$SRCPKG.tar.xz" -C "$CACHE/src"
	rm -rf "$tmp"
	[ -f "$SRC/Makefile" ] || die "$SRC/Makefile missing after unpacking"
	touch "$SRC/.unpacked-$SRCVER"
}

# configure OBJ: write OBJ/.config and check the fragment took effect.
configure() {
	local obj=$1 line opt want got bad=0
	mkdir -p "$obj"
	kmake "$obj" x86_64_defconfig >/dev/null
	KCONFIG_CONFIG=$obj/.config "$SRC/scripts/kconfig/merge_config.sh" -m \
		-O "$obj" "$obj/.config" "$SRC/kernel/configs/kvm_guest.config" \
		"$FRAGMENT" >/dev/null
	kmake "$obj" olddefconfig >/dev/null
	# Every option of the fragment must survive olddefconfig.
	while read -r line; do
		case $line in
		CONFIG_*=*)	opt=${line%%=*}; want=$line ;;
		"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; want= ;;
		*)		continue ;;
		esac
		got=$(grep -E "^($opt=|# $opt is not set)" "$obj/.config" || true)
		case $want in
		"")	[ -z "$got" ] || [ "$got" = "# $opt is not set" ] && continue ;;
		*)	[ "$got" = "$want" ] && continue ;;
		esac
		log "config: want '${want:-# $opt is not set}', got '${got:-<absent>}'"
		bad=1
	done < "$FRAGMENT"
	[ $bad -eq 0 ] || die "the config fragment did not apply (dependencies?)"
}

kmake() {
	local obj=$1
	shift
	nice -n 19 make -s -C "$SRC" O="$obj" "$@"
}

# headers_links DIR KVER: make the O= tree serve as the kernel's headers.
# As in a headers package, guest-init.sh links root/usr/src/linux-*; an
# O= tree keeps the headers in the source tree, which tools that compile
# against the kernel (bpftrace: /lib/modules/<kver>/source, then build)
# find through "source", a link modules_install no longer makes.
headers_links() {
	mkdir -p "$1/root/usr/src"
	ln -sfn ../../../obj "$1/root/usr/src/linux-headers-$2"
	ln -sfn "$SRC" "$1/root/lib/modules/$2/source"
}

main() {
	local force='' key dir obj kver t0 secs
	[ "${1:-}" = --force ] && force=1
	mkdir -p "$CACHE"
	exec 9>"$CACHE/debug-kernel.lock"
	flock -n 9 || { log "another build is running; waiting"; flock 9; }
	install_tools
	fetch_source
	key=$( { cat "$FRAGMENT" "$SRC/kernel/configs/kvm_guest.config"; echo "$SRCVER"; } |
	       sha256sum | cut -c1-16)
	kver=$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$/\1/p' "$FRAGMENT")
	kver=$(make -s -C "$SRC" kernelversion)$kver
	dir=$CACHE/$kver
	obj=$dir/obj
	if [ -z "$force" ] && [ -f "$dir/.complete" ] &&
	   [ "$(cat "$dir/.config-key" 2>/dev/null)" = "$key" ]; then
		log "$kver cached (key $key)"
		headers_links "$dir" "$kver"
		echo "KDEBUG=$kver" > "$CACHE/debug-kernel.env"
		return 0
	fi
	rm -f "$dir/.complete"
	log "configuring $kver (key $key) in $obj"
	configure "$obj"

	# Wall time counts from the first start for this key.
	[ "$(cut -d' ' -f1 "$dir/build-started" 2>/dev/null)" = "$key" ] ||
		echo "$key $(date +%s)" > "$dir/build-started"
	t0=$(cut -d' ' -f2 "$dir/build-started")
	log "building $kver with -j$JOBS under nice 19 (started $(date -d "@$t0" +%T)); log: $dir/build.log"
	if ! kmake "$obj" -j"$JOBS" bzImage modules >> "$dir/build.log" 2>&1; then
		tail -30 "$dir/build.log" >&2
		die "build failed; log: $dir/build.log"
	fi
	secs=$(( $(date +%s) - t0 ))
	[ "$(cat "$obj/include/config/kernel.release")" = "$kver" ] ||
		die "built $(cat "$obj/include/config/kernel.release"), not $kver"
	log "built in $((secs / 60)) min $((secs % 60)) s"
	echo "$secs" > "$dir/build-seconds"

	rm -rf "$dir/root"
	mkdir -p "$dir/root/boot"
	kmake "$obj" INSTALL_MOD_PATH="$dir/root" INSTALL_MOD_STRIP=1 \
		modules_install >> "$dir/build.log" 2>&1
	cp "$obj/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$kver"
	cp "$obj/System.map" "$dir/root/boot/System.map-$kver"
	cp "$obj/.config" "$dir/root/boot/config-$kver"
	ln -sfn "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	ln -sfn "root/lib/modules/$kver" "$dir/modules"
	ln -sfn obj "$dir/build"
	headers_links "$dir" "$kver"
	# The initramfs holds modules of the previous build, if any.
	rm -f "$dir/initramfs.cpio.gz"
	echo "$key" > "$dir/.config-key"
	touch "$dir/.complete"
	echo "KDEBUG=$kver" > "$CACHE/debug-kernel.env"
	log "$kver ready in $dir"
}

main "$@"
