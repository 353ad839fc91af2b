# SPDX-License-Identifier: GPL-2.0
# releases.sh - sourced by the rig scripts: the Debian releases of
# scripts/releases.conf, a private apt configuration to resolve and fetch
# their kernels, and a root of each release to build and run in.
#
# The private apt configuration ($CACHE/apt/) has its own sources (each
# release's suite, -updates and -security), lists, cache and settings:
# nothing of the host's /etc/apt is read or written, so the host's sources
# and its Acquire settings neither help nor hurt.  A release marked
# "nocheck" gets Check-Valid-Until: no on its suites alone.  The archive is
# the one this host's apt uses (PL_MIRROR, PL_SECURITY_MIRROR override).
#
# A release root ($CACHE/roots/CODENAME/) is a debootstrap --variant=minbase
# root of that release with its compiler, kbuild's needs, DKMS and the
# userland the guest tests run (bpftrace, perf, fio, ...), from the same
# suites.  rel_run runs a command inside it with the clone and the cache
# bind-mounted at their own paths, as a user of that release builds; the
# guests of that release's kernels use it, read-only, as their userland.
#
# Needs ROOT and CACHE set.  Functions log to stderr.

RELEASES_CONF=$ROOT/scripts/releases.conf
PAPT_DIR=$CACHE/apt

# Packages of a release root: the build (the compiler comes with
# build-essential), DKMS and its signing, the test tools' libraries, and
# what the guest tests run.
ROOT_PKGS=(build-essential libelf-dev bc kmod pahole dkms openssl xz-utils
	   zstd file git ca-certificates
	   clang llvm libbpf-dev bpftool zlib1g-dev liburing-dev
	   e2fsprogs xfsprogs util-linux procps bsdutils mawk jq fio
	   trace-cmd bpftrace linux-perf busybox)

rel_log() { printf 'releases: %s\n' "$*" >&2; }

# rel_codenames: every codename of releases.conf, in order.
rel_codenames() {
	awk '!/^#/ && NF >= 4 { print $1 }' "$RELEASES_CONF"
}

# rel_field CODENAME N: field N (2 version, 3 valid-until, 4 kernels).
rel_field() {
	awk -v c="$1" -v n="$2" '!/^#/ && $1 == c { print $n; exit }' "$RELEASES_CONF"
}

# rel_series CODENAME: its kernel series, one a line, the default first.
rel_series() {
	rel_field "$1" 4 | tr ',' '\n'
}

# host_codename: the release this machine runs.
host_codename() {
	(. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# host_mirror: the Debian archive this host's apt uses (deb822 or
# one-line sources), else deb.debian.org.  With "security", its
# debian-security archive.
host_mirror() {
	local want=${1:-} m
	if [ "$want" = security ]; then
		[ -n "${PL_SECURITY_MIRROR:-}" ] && { echo "$PL_SECURITY_MIRROR"; return; }
	else
		[ -n "${PL_MIRROR:-}" ] && { echo "$PL_MIRROR"; return; }
	fi
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v w="$want" '/^URIs:/ { u = $2 }
			/^Suites:/ { s = ($0 ~ /-security/) }
			/^Suites:/ && (w == "security") == s && u ~ /debian/ { print u; exit }')
	[ -n "$m" ] || m=$(awk -v w="$want" '$1 == "deb" && ($3 ~ /-security/) == (w == "security") { print $2; exit }' \
			      /etc/apt/sources.list 2>/dev/null)
	if [ -z "$m" ] && [ "$want" = security ]; then
		m=$(host_mirror)
		m=${m%/debian}/debian-security
	fi
	echo "${m:-http://deb.debian.org/debian}"
}

# papt_setup: write the private apt configuration (idempotent).
papt_setup() {
	local c vu m s f=$PAPT_DIR/etc/sources.list.d/pinledger.sources
	m=$(host_mirror) s=$(host_mirror security)
	mkdir -p "$PAPT_DIR"/{etc/sources.list.d,etc/apt.conf.d,etc/preferences.d,etc/trusted.gpg.d} \
		 "$PAPT_DIR"/{state,lists/partial,cache/archives/partial}
	cat > "$PAPT_DIR/apt.conf.new" <<-EOF
	Dir::Etc "$PAPT_DIR/etc";
	Dir::Etc::main "/dev/null";
	Dir::Etc::Parts "$PAPT_DIR/etc/apt.conf.d";
	Dir::Etc::sourcelist "/dev/null";
	Dir::Etc::sourceparts "$PAPT_DIR/etc/sources.list.d";
	Dir::Etc::preferencesparts "$PAPT_DIR/etc/preferences.d";
	Dir::Etc::trusted "/dev/null";
	Dir::Etc::trustedparts "$PAPT_DIR/etc/trusted.gpg.d";
	Dir::State "$PAPT_DIR/state";
	Dir::State::lists "$PAPT_DIR/lists";
	Dir::State::status "/dev/null";
	Dir::Cache "$PAPT_DIR/cache";
	APT::Architecture "amd64";
	APT::Sandbox::User "root";
	Acquire::Languages "none";
	Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";
	Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled "false";
	EOF
	mv "$PAPT_DIR/apt.conf.new" "$PAPT_DIR/apt.conf"
	: > "$f.new"
	for c in $(rel_codenames); do
		vu=
		[ "$(rel_field "$c" 3)" = nocheck ] && vu='Check-Valid-Until: no'
		cat >> "$f.new" <<-EOF
		Types: deb
		URIs: $m
		Suites: $c $c-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		$vu

		Types: deb
		URIs: $s
		Suites: $c-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		$vu

		EOF
	done
	# Same sources: keep the lists.
	cmp -s "$f.new" "$f" && { rm -f "$f.new"; return 0; }
	mv "$f.new" "$f"
	rm -f "$PAPT_DIR/lists/.updated"
}

# papt_sources_of CODENAME: the deb822 sources of one release (suite,
# -updates, -security), what an installed system of it has.
papt_sources_of() {
	papt_setup
	awk -v c="$1" 'BEGIN { RS = ""; ORS = "\n\n" }
		$0 ~ "Suites: " c "( |-|$)" { print }' \
		"$PAPT_DIR/etc/sources.list.d/pinledger.sources"
}

# papt CMD ARGS...: apt-get or apt-cache (CMD) on the private configuration.
papt() {
	local cmd=$1
	shift
	APT_CONFIG=$PAPT_DIR/apt.conf "$cmd" "$@"
}

# papt_update: refresh the private lists when missing, changed or a day old.
papt_update() {
	papt_setup
	if [ -f "$PAPT_DIR/lists/.updated" ] &&
	   [ -z "$(find "$PAPT_DIR/lists/.updated" -mmin +1440)" ] &&
	   [ "${PINLEDGER_RESOLVE:-}" != 1 ]; then
		return 0
	fi
	rel_log "apt-get update (private configuration: $(rel_codenames | tr '\n' ' '))"
	papt apt-get update -qq >&2 || { rel_log "apt-get update failed"; return 1; }
	touch "$PAPT_DIR/lists/.updated"
}

# series_regex SERIES FLAVOUR: the kernel release regex of a series and
# flavour ("" generic, cloud, rt): 6.12.N+deb13, rt -> 6\.12\.[0-9]+\+deb13(\.[0-9]+)?-rt-amd64.
series_regex() {
	local r=$1
	r=${r//./\\.}
	r=${r//+/\\+}
	r=${r//N/[0-9]+}
	echo "$r(\\.[0-9]+)?-${2:+$2-}amd64"
}

# newest_kernel SERIES FLAVOUR: the newest kernel release of a series and
# flavour with a signed image (linux-image-KVER, not -unsigned).
newest_kernel() {
	papt apt-cache pkgnames linux-image- | grep -E "^linux-image-$(series_regex "$1" "$2")\$" |
		sed 's/^linux-image-//' | sort -V | tail -1
}

# rel_of_kernel KVER: the codename a fetched kernel belongs to.
rel_of_kernel() {
	cat "$CACHE/$1/.release" 2>/dev/null
}

# ---- release roots ---------------------------------------------------------

# relroot_dir CODENAME
relroot_dir() {
	echo "$CACHE/roots/$1"
}

# relroot_ensure CODENAME: build the release root once (debootstrap
# minbase, then ROOT_PKGS from the release's suites, security included).
relroot_ensure() {
	local c=$1 dir tmp script m
	dir=$(relroot_dir "$c")
	[ -f "$dir/.complete" ] && return 0
	command -v debootstrap >/dev/null ||
		{ rel_log "debootstrap is missing (scripts/provision.sh installs it)"; return 1; }
	m=$(host_mirror)
	script=$c
	# An older debootstrap may not know a newer codename: sid's script
	# builds any current suite.
	[ -e "/usr/share/debootstrap/scripts/$c" ] || script=sid
	mkdir -p "$CACHE/roots"
	rm -rf "$dir" "$dir.tmp"
	tmp=$dir.tmp
	rel_log "building the $c root (debootstrap --variant=minbase $c from $m)"
	if ! debootstrap --variant=minbase "$c" "$tmp" "$m" \
		"/usr/share/debootstrap/scripts/$script" > "$CACHE/roots/$c.log" 2>&1; then
		tail -20 "$CACHE/roots/$c.log" >&2
		rel_log "debootstrap of $c failed (log: $CACHE/roots/$c.log)"
		return 1
	fi
	rm -f "$tmp"/etc/apt/sources.list "$tmp"/etc/apt/sources.list.d/*
	papt_sources_of "$c" > "$tmp/etc/apt/sources.list.d/debian.sources"
	cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || :
	rel_log "installing ${#ROOT_PKGS[@]} packages into the $c root"
	if ! relroot_chroot "$tmp" "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq upgrade &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${ROOT_PKGS[*]} &&
		apt-get clean" >> "$CACHE/roots/$c.log" 2>&1; then
		tail -20 "$CACHE/roots/$c.log" >&2
		rel_log "package installation in the $c root failed (log: $CACHE/roots/$c.log)"
		return 1
	fi
	rm -rf "$tmp"/var/lib/apt/lists/*
	touch "$tmp/.complete"
	mv "$tmp" "$dir"
}

# relroot_chroot DIR CMDLINE [BIND...]: run CMDLINE (bash -c) as root in
# the root at DIR, in a mount namespace of its own (nothing stays mounted
# on the host) with /proc, /sys, /dev and each BIND directory (at its own
# path) bind-mounted; a clean environment.
relroot_chroot() {
	local dir=$1 cmd=$2
	shift 2
	unshare -m --propagation private /bin/bash -c '
		set -e
		d=$1 cmd=$2
		shift 2
		for m in proc sys dev; do
			mount --rbind "/$m" "$d/$m"
		done
		for b in "$@"; do
			mkdir -p "$d$b"
			mount --rbind "$b" "$d$b"
		done
		exec chroot "$d" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
			LANG=C.UTF-8 TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash -c "$cmd"' relroot "$dir" "$cmd" "$@"
}

# rel_binds: the directories a build in a release root needs at their own
# paths: the clone and the cache (wherever a symlink puts it), and the
# current directory; nested ones only once.
rel_binds() {
	local p q out=()
	for p in "$(cd "$ROOT" && pwd -P)" "$(cd "$CACHE" && pwd -P)" "$(pwd -P)"; do
		for q in "${out[@]}"; do
			case $p/ in "$q"/*) continue 2 ;; esac
		done
		out+=("$p")
	done
	printf '%s\n' "${out[@]}"
}

# rel_run CODENAME CMDLINE: run CMDLINE in the current directory inside the
# release root of CODENAME, with the clone and cache bind-mounted.
rel_run() {
	local c=$1 cmd=$2 binds
	relroot_ensure "$c" || return 1
	mapfile -t binds < <(rel_binds)
	relroot_chroot "$(relroot_dir "$c")" \
		"export PINLEDGER_CACHE=$(printf %q "$CACHE"); cd $(printf %q "$(pwd -P)") && $cmd" "${binds[@]}"
}
