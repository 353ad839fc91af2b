#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-fresh.sh - "make check-fresh": make check on fresh Debian machines.
#
# For each release asked for (default: every release of
# scripts/releases.conf), builds a minimal root of it with debootstrap
# (--variant=minbase plus git and make: all a new user is assumed to
# have), from the archive this host's apt uses; the base system alone is
# cached as a tarball ($CACHE/fresh/).  Each run unpacks it anew, gives it
# the apt sources an installed system of that release has (its suite,
# -updates and -security; plus the Acquire:: settings this host needs to
# reach the archive) and resolv.conf, clones the committed HEAD into
# /root/pinledger, binds /proc, /sys and /dev and nothing else of the
# host (the root itself bound on itself: a machine's / is a mount point),
# and runs, as root inside it:
#   make check                      (provisioning included)
#   tests/fresh/t-deb-install.sh    make deb, install the .debs with apt,
#                                   DKMS builds for two installed kernels
#                                   of that release, boot them with
#                                   modprobe.d
# The last line adds every release up: "N passed, N failed".  Logs:
# build/fresh/CODENAME/.
#
# Usage: scripts/check-fresh.sh [--keep] [--deb-only] [CODENAME...]
#   --keep      leave the roots for a look
#   --deb-only  instead of make check, only provision and build the
#               modules, then the package test (for working on it; not a
#               fresh-machine check)
# Environment: PL_FRESH_DIR (default /var/tmp/pinledger-fresh),
#              PL_MIRROR, PL_SECURITY_MIRROR (default: from /etc/apt/sources*).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd -P)
# shellcheck source=scripts/releases.sh
. "$ROOT/scripts/releases.sh"
DIR=${PL_FRESH_DIR:-/var/tmp/pinledger-fresh}
KEEP=
DEB_ONLY=
WANT=()
for a in "$@"; do
	case $a in
	--keep) KEEP=1 ;;
	--deb-only) DEB_ONLY=1 ;;
	-*) echo "usage: $0 [--keep] [--deb-only] [CODENAME...]" >&2; exit 2 ;;
	*) [ -n "$(rel_field "$a" 2)" ] ||
		{ echo "check-fresh: '$a' is not a release of scripts/releases.conf" >&2; exit 2; }
	   WANT+=("$a") ;;
	esac
done
[ ${#WANT[@]} -gt 0 ] || mapfile -t WANT < <(rel_codenames)

log() { printf 'check-fresh: %s\n' "$*" >&2; }
die() { log "$*"; echo "0 passed, 1 failed"; exit 1; }

# make_base: debootstrap the base system of $REL once, keep it as a tarball.
make_base() {
	local tmp script=$REL
	[ -s "$BASE" ] && return 0
	command -v debootstrap >/dev/null ||
		{ apt-get update -qq && apt-get install -y -qq debootstrap zstd; } >&2 ||
		return 1
	[ -e "/usr/share/debootstrap/scripts/$REL" ] || script=sid
	mkdir -p "$(dirname "$BASE")"
	tmp=$(mktemp -d "$DIR.base.XXXXXX")
	log "debootstrap --variant=minbase --include=git,make $REL from $(host_mirror)"
	debootstrap --variant=minbase --include=git,make "$REL" "$tmp" "$(host_mirror)" \
		"/usr/share/debootstrap/scripts/$script" > "$LOGS/debootstrap.log" 2>&1 ||
		{ tail -20 "$LOGS/debootstrap.log" >&2; rm -rf "$tmp"; return 1; }
	# The base system only: no package lists, no downloaded .debs.
	rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/archives/*.deb
	tar -C "$tmp" -I 'zstd -T0' -cf "$BASE.new" . && mv "$BASE.new" "$BASE"
	rm -rf "$tmp"
}

umount_all() {
	! mountpoint -q "$R" || umount -R "$R"
}

cleanup() {
	[ -n "${R:-}" ] && umount_all
	[ -n "$KEEP" ] || rm -rf "${R:-$DIR/none}"
}

# in_root CMD: run a command line as root in the fresh root, a clean env.
in_root() {
	chroot "$R" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb \
		LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "$1"
}

# demo_story LOG: make demo told its story - the truncate waited while the
# file kept its size, "pinledger who" named the holder (pinctl, pages 0-3)
# and the truncate waiting on it, and the
# truncate ended with status 0 once the holder let go.
demo_story() {
	grep -q '^size=65536' "$1" &&
	grep -qE '^ +0-3 +[0-9]+ +pinctl +PIN' "$1" &&
	grep -qE 'layout change id=[0-9]+ by tgid=[0-9]+ comm=truncate' "$1" &&
	grep -q 'truncate exit status 0' "$1" && grep -q '^size=0' "$1"
}

# fresh_release: make check and the package test in a fresh root of $REL;
# adds to PASS and FAIL.
fresh_release() {
	local t0 rev f line p q
	t0=$(date +%s)
	BASE=$CACHE/fresh/$REL-minbase.tar.zst
	R=$DIR/$REL
	LOGS=$ROOT/build/fresh/$REL
	rm -rf "$LOGS"
	mkdir -p "$LOGS"
	rev=$(git -C "$ROOT" rev-parse HEAD) || die "not a git clone"
	git -C "$ROOT" diff --quiet HEAD ||
		log "note: uncommitted changes are not tested (HEAD $rev is)"
	umount_all 2>/dev/null
	rm -rf "$R"
	mkdir -p "$R"
	make_base || { log "cannot build the $REL base system"; FAIL=$((FAIL + 1)); return; }
	tar -C "$R" -I zstd -xf "$BASE" || { log "cannot unpack $BASE"; FAIL=$((FAIL + 1)); return; }
	# apt as an installed system of the release has it: its suites, and
	# the Acquire settings this host needs to reach the archive; DNS.
	rm -f "$R"/etc/apt/sources.list "$R"/etc/apt/sources.list.d/*
	papt_sources_of "$REL" > "$R/etc/apt/sources.list.d/debian.sources"
	for f in /etc/apt/apt.conf.d/*; do
		grep -q '^ *Acquire::' "$f" 2>/dev/null && cp "$f" "$R$f"
	done
	cp /etc/resolv.conf "$R/etc/resolv.conf"
	git clone -q "$ROOT" "$R/root/pinledger" && git -C "$R/root/pinledger" checkout -q "$rev" ||
		die "cannot clone HEAD into the fresh root"
	# A machine's / is a mount point (unshare -m, which the rig uses to
	# build in a release's root, needs one): the root bound on itself.
	mount --bind "$R" "$R" && mount --make-private "$R" ||
		die "cannot make $R a mount point"
	for f in proc sys dev; do
		mount --rbind "/$f" "$R/$f" && mount --make-rslave "$R/$f" ||
			die "cannot bind /$f"
	done
	log "fresh $REL root $R ($(du -sxh "$R" 2>/dev/null | cut -f1)), HEAD $rev"

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
	PASS=$((PASS + p)); FAIL=$((FAIL + q))

	echo "== make demo in the fresh $REL root"
	in_root 'cd /root/pinledger && make demo' > "$LOGS/demo.log" 2>&1
	if demo_story "$LOGS/demo.log"; then
		echo "ok - make demo: a pin blocks a truncate, who names the holder, the truncate ends"
		PASS=$((PASS + 1))
	else
		echo "not ok - make demo's story (log: ${LOGS#"$ROOT"/}/demo.log)"
		tail -30 "$LOGS/demo.log" | sed 's/^/  | /'
		FAIL=$((FAIL + 1))
	fi

	echo "== Debian packages in the fresh $REL root"
	in_root 'cd /root/pinledger && PL_FRESH_ROOT=1 tests/fresh/t-deb-install.sh' 2>&1 |
		tee "$LOGS/deb.log" | grep -vE '^#|^ '
	p=$(grep -cE '^ok [0-9]+ ' "$LOGS/deb.log")
	q=$(grep -cE '^not ok [0-9]+ ' "$LOGS/deb.log")
	line=$(grep -m1 -E '^1\.\.[0-9]+$' "$LOGS/deb.log" | cut -d. -f3)
	[ -n "$line" ] && [ $((p + q)) -lt "$line" ] && q=$((line - p))
	[ -n "$line" ] || q=$((q + 1))
	PASS=$((PASS + p)); FAIL=$((FAIL + q))
	umount_all
	[ -n "$KEEP" ] || rm -rf "$R"
	SUMMARY+=("$REL: make check $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOGS/check.log" | tail -1); packages $(grep -cE '^ok [0-9]+ ' "$LOGS/deb.log") ok; $(( $(date +%s) - t0 )) s")
}

main() {
	local t0
	t0=$(date +%s)
	[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mounts)"
	PASS=0 FAIL=0 SUMMARY=()
	mkdir -p "$DIR"
	trap cleanup EXIT
	for REL in "${WANT[@]}"; do
		echo "==== fresh Debian $(rel_field "$REL" 2) ($REL) machine"
		fresh_release
	done
	echo "== check-fresh summary ($(( $(date +%s) - t0 )) s; logs in build/fresh/)"
	printf '%s\n' "${SUMMARY[@]}"
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

main "$@"
