#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-fresh.sh - "make check-fresh": make check on a fresh Debian 12.
#
# Builds a minimal Debian 12 root with debootstrap (--variant=minbase plus
# git and make: all a new user is assumed to have), from the mirror of
# this host's apt sources; the base system alone is cached as a tarball
# ($CACHE/fresh/).  Each run unpacks it anew, copies in the host's apt
# sources (and the Acquire:: settings this host needs to reach them) and
# resolv.conf as an installed system has them, clones the committed HEAD
# into /root/pinledger, binds /proc, /sys and /dev and nothing else of the
# host, and runs, as root inside it:
#   make check                      (provisioning included)
#   tests/fresh/t-deb-install.sh    make deb, install the .debs with apt,
#                                   DKMS builds for installed Debian
#                                   kernels, boot them with modprobe.d
# The last line adds both up: "N passed, N failed".  Logs: build/fresh/.
#
# Usage: scripts/check-fresh.sh [--keep] [--deb-only]
#   --keep      leave the root for a look
#   --deb-only  instead of make check, only provision and build the
#               modules, then the package test (for working on it; not a
#               fresh-machine check)
# Environment: PL_FRESH_DIR (default /var/tmp/pinledger-fresh),
#              PL_FRESH_MIRROR (default: from /etc/apt/sources*).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
BASE=$CACHE/fresh/bookworm-minbase.tar.zst
DIR=${PL_FRESH_DIR:-/var/tmp/pinledger-fresh}
R=$DIR/root
LOGS=$ROOT/build/fresh
KEEP=
DEB_ONLY=
for a in "$@"; do
	case $a in
	--keep) KEEP=1 ;;
	--deb-only) DEB_ONLY=1 ;;
	*) echo "usage: $0 [--keep] [--deb-only]" >&2; exit 2 ;;
	esac
done

log() { printf 'check-fresh: %s\n' "$*" >&2; }
die() { log "$*"; echo "0 passed, 1 failed"; exit 1; }

# mirror: the Debian archive this host's apt uses for bookworm.
mirror() {
	local m
	[ -n "${PL_FRESH_MIRROR:-}" ] && { echo "$PL_FRESH_MIRROR"; return; }
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }')
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
				/etc/apt/sources.list 2>/dev/null)
	echo "${m:-http://deb.debian.org/debian}"
}

# make_base: debootstrap the base system once, keep it as a tarball.
make_base() {
	local tmp
	[ -s "$BASE" ] && return 0
	command -v debootstrap >/dev/null ||
		{ apt-get update -qq && apt-get install -y -qq debootstrap zstd; } >&2 ||
		return 1
	mkdir -p "$(dirname "$BASE")"
	tmp=$(mktemp -d "$DIR.base.XXXXXX")
	log "debootstrap --variant=minbase --include=git,make bookworm from $(mirror)"
	debootstrap --variant=minbase --include=git,make bookworm "$tmp" "$(mirror)" \
		> "$LOGS/debootstrap.log" 2>&1 ||
		{ tail -20 "$LOGS/debootstrap.log" >&2; rm -rf "$tmp"; return 1; }
	# The base system only: no package lists, no downloaded .debs.
	rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/archives/*.deb
	tar -C "$tmp" -I 'zstd -T0' -cf "$BASE.new" . && mv "$BASE.new" "$BASE"
	rm -rf "$tmp"
}

umount_all() {
	local m
	for m in dev sys proc; do
		mountpoint -q "$R/$m" && umount -R "$R/$m"
	done
}

cleanup() {
	umount_all
	[ -z "$KEEP" ] && rm -rf "$DIR"
}

# in_root CMD: run a command line as root in the fresh root, a clean env.
in_root() {
	chroot "$R" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb \
		LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "$1"
}

main() {
	local t0 rev f line pass=0 fail=0 p q
	t0=$(date +%s)
	[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mounts)"
	rm -rf "$LOGS"
	mkdir -p "$LOGS"
	rev=$(git -C "$ROOT" rev-parse HEAD) || die "not a git clone"
	git -C "$ROOT" diff --quiet HEAD ||
		log "note: uncommitted changes are not tested (HEAD $rev is)"
	umount_all 2>/dev/null
	rm -rf "$DIR"
	mkdir -p "$DIR"
	make_base || die "cannot build the base system"
	trap cleanup EXIT
	mkdir -p "$R"
	tar -C "$R" -I zstd -xf "$BASE" || die "cannot unpack $BASE"
	# apt as an installed host has it: sources, and the Acquire settings
	# this host needs to use them; DNS.
	rm -f "$R"/etc/apt/sources.list "$R"/etc/apt/sources.list.d/*
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		 /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && cp "$f" "$R$f"
	done
	for f in /etc/apt/apt.conf.d/*; do
		grep -q '^ *Acquire::' "$f" 2>/dev/null && cp "$f" "$R$f"
	done
	cp /etc/resolv.conf "$R/etc/resolv.conf"
	git clone -q "$ROOT" "$R/root/pinledger" && git -C "$R/root/pinledger" checkout -q "$rev" ||
		die "cannot clone HEAD into the fresh root"
	for f in proc sys dev; do
		mount --rbind "/$f" "$R/$f" && mount --make-rslave "$R/$f" ||
			die "cannot bind /$f"
	done
	log "fresh root $R ($(du -sxh "$R" 2>/dev/null | cut -f1)), HEAD $rev"

	if [ -n "$DEB_ONLY" ]; then
		echo "== provisioning and module builds in the fresh root (--deb-only)"
		in_root 'cd /root/pinledger && make modules-all tools >/dev/null &&
			 echo "0 passed, 0 failed"' 2>&1 | tee "$LOGS/check.log"
	else
		echo "== make check in the fresh root"
		in_root 'cd /root/pinledger && make check' 2>&1 | tee "$LOGS/check.log"
	fi
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOGS/check.log" | tail -1)
	p=$(echo "$line" | awk '{ print $1 }')
	q=$(echo "$line" | awk '{ print $3 }')
	[ -n "$line" ] || { p=0; q=1; }
	pass=$((pass + p)); fail=$((fail + q))

	echo "== Debian packages in the fresh root"
	in_root 'cd /root/pinledger && PL_FRESH_ROOT=1 tests/fresh/t-deb-install.sh' 2>&1 |
		tee "$LOGS/deb.log" | grep -vE '^#|^ '
	p=$(grep -cE '^ok [0-9]+ ' "$LOGS/deb.log")
	q=$(grep -cE '^not ok [0-9]+ ' "$LOGS/deb.log")
	line=$(grep -m1 -E '^1\.\.[0-9]+$' "$LOGS/deb.log" | cut -d. -f3)
	[ -n "$line" ] && [ $((p + q)) -lt "$line" ] && q=$((line - p))
	[ -n "$line" ] || q=$((q + 1))
	pass=$((pass + p)); fail=$((fail + q))

	echo "== check-fresh summary ($(( $(date +%s) - t0 )) s; logs in ${LOGS#"$ROOT"/}/)"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

main "$@"
