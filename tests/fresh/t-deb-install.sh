#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-deb-install.sh - install pinledger the way a Debian user does, in a
# throwaway root of a Debian release (make check-fresh runs it there after
# make check; it refuses to run anywhere else, since it installs kernel
# images and headers).  The two kernels: the release's default kernel
# (scripts/releases.conf) and the newest of its second series, or, with
# one series (Debian 13), the release before the newest of it.  Prints
# KTAP:
#   - make deb builds pinledger-dkms and pinledger-tools;
#   - the first kernel (image + headers) installed first, then the .debs
#     with apt: the package's DKMS hook builds the module for it;
#   - the second kernel installed after: the kernel's DKMS hook
#     builds it there too ("dkms status" says installed for both);
#   - the modules are signed with the DKMS MOK key (modinfo signer,
#     sig_hashalgo);
#   - each kernel boots in a guest with an /etc/modprobe.d/pinledger.conf:
#     "modprobe pinledger" loads the DKMS-built module with the policy in
#     force before anything wrote sysfs (a pinned DAX file's truncate is
#     refused with EBUSY), and pinledger-tools' /usr/sbin/pinledger runs;
#   - booted with module.sig_enforce=1, the kernel refuses the unsigned
#     build of make check.
#
# Usage (as root, in the fresh root): PL_FRESH_ROOT=1 tests/fresh/t-deb-install.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
N=0
PLAN=10

[ "${PL_FRESH_ROOT:-}" = 1 ] || {
	echo "t-deb-install: installs kernels and packages: only in a throwaway root (make check-fresh)" >&2
	exit 2
}
# shellcheck source=scripts/releases.sh
. scripts/releases.sh
REL=$(host_codename)
[ -n "$(rel_field "$REL" 2)" ] ||
	{ echo "t-deb-install: this root runs '$REL', not a release of scripts/releases.conf" >&2; exit 2; }
# kernels_of SERIES: the signed generic kernels of a series this root's
# apt serves, newest first.
kernels_of() {
	apt-cache pkgnames linux-image- | grep -E "^linux-image-$(series_regex "$1" '')\$" |
		sed 's/^linux-image-//' | sort -rV
}
apt-get update -qq >/dev/null 2>&1
S1=$(rel_series "$REL" | sed -n 1p) S2=$(rel_series "$REL" | sed -n 2p)
K1=$(kernels_of "$S1" | sed -n 1p)
if [ -n "$S2" ]; then
	K2=$(kernels_of "$S2" | sed -n 1p)
else
	K2=$(kernels_of "$S1" | sed -n 2p)
fi
[ -n "$K1" ] && [ -n "$K2" ] ||
	{ echo "t-deb-install: cannot resolve two kernels of $REL ('$K1', '$K2')" >&2; exit 2; }

# result OK NAME [OUTPUT]: one KTAP line, then the end of the output as
# diagnostics (more of it on failure).
result() {
	N=$((N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $N $2"
		printf '%s\n' "${3:-}" | grep -v '^\[ *[0-9.]*\] ' | tail -8 | sed 's/^/# /'
	else
		echo "not ok $N $2"
		printf '%s\n' "${3:-}" | tail -25 | sed 's/^/# /'
	fi
}

# run NAME CMD: run CMD (a command line) and report it.
run() {
	local out rc=0
	out=$(bash -c "$2" 2>&1) || rc=$?
	result $rc "$1" "$out"
	return $rc
}

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# What the guests run: the test tools, built here as this release's user
# would (the guests' userland is this root).
make -s tools >/dev/null 2>&1 ||
	echo "# make tools failed: the guest steps will say what is missing"
echo "KTAP version 1"
echo "1..$PLAN"
export -f apt_install
run "make deb builds pinledger-dkms and pinledger-tools" \
	'make deb && ls build/deb/pinledger-dkms_*_all.deb build/deb/pinledger-tools_*_amd64.deb'
run "stock kernel $K1 installed (image and headers)" \
	"apt_install linux-image-$K1 linux-headers-$K1"
run "apt installs pinledger-dkms and pinledger-tools; DKMS builds for $K1" \
	"apt_install ./build/deb/pinledger-dkms_*_all.deb ./build/deb/pinledger-tools_*_amd64.deb &&
	 test -f /lib/modules/$K1/updates/dkms/pinledger.ko*"
run "stock kernel $K2 installed afterwards: its DKMS hook builds pinledger" \
	"apt_install linux-image-$K2 linux-headers-$K2 &&
	 test -f /lib/modules/$K2/updates/dkms/pinledger.ko*"
run "dkms status: installed for both kernels" \
	"dkms status pinledger; dkms status pinledger | grep -F '$K1' | grep -q installed &&
	 dkms status pinledger | grep -F '$K2' | grep -q installed"
run "modules signed with the DKMS MOK key" \
	"for k in $K1 $K2; do
		ko=\$(ls /lib/modules/\$k/updates/dkms/pinledger.ko*)
		s=\$(modinfo -F signer \$ko); a=\$(modinfo -F sig_hashalgo \$ko)
		echo \"\$k: signer '\$s' sig_hashalgo '\$a'\"
		[ -n \"\$s\" ] && [ -n \"\$a\" ] || exit 1
	 done; openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -subject"

# The guest boots an installed kernel: a rig cache entry made of the
# installed system's files (the rig's own cache holds the unpacked ones).
ICACHE=/var/tmp/pinledger-installed
for k in $K1 $K2; do
	mkdir -p "$ICACHE/$k"
	ln -sfn / "$ICACHE/$k/root"
	ln -sfn "/boot/vmlinuz-$k" "$ICACHE/$k/vmlinuz"
	ln -sfn "/lib/modules/$k" "$ICACHE/$k/modules"
	ln -sfn "/usr/src/linux-headers-$k" "$ICACHE/$k/build"
	touch "$ICACHE/$k/.complete"
done
cat > /etc/modprobe.d/pinledger.conf <<'EOF'
options pinledger policy=block
EOF
for k in $K1 $K2; do
	run "$k boots; modprobe.d policy=block in force at load; pinledger tool runs" \
		"PINLEDGER_CACHE=$ICACHE scripts/guest.sh --kernel $k --timeout 600 -- tests/fresh/deb-guest.sh"
done
for k in $K1 $K2; do
	# The unsigned build of this tree, against the installed headers.
	make -s KVER="$k" module >/dev/null 2>&1 ||
		echo "# make KVER=$k module failed: the next step will say so"
	run "$k with module.sig_enforce=1 refuses the unsigned build" \
		"PINLEDGER_CACHE=$ICACHE scripts/guest.sh --kernel $k --timeout 300 \
			--append module.sig_enforce=1 -- tests/fresh/sig-guest.sh build/$k/pinledger.ko"
done
[ $N = $PLAN ] || echo "# plan $PLAN, ran $N"
