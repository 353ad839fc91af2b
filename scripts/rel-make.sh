#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rel-make.sh - make (or a command), run the way a user of a Debian
# release builds: inside that release's root (its compiler, pahole,
# libbpf, DKMS), the clone and the cache bind-mounted at their own paths
# (scripts/releases.sh).
#
# Usage: scripts/rel-make.sh KVER|CODENAME MAKEARGS...
#        scripts/rel-make.sh --run KVER|CODENAME CMDLINE
#   KVER      a provisioned kernel: its release's root, KVER=KVER added
#   CODENAME  a release of scripts/releases.conf (tools, packages), or
#             "native": here
# Tools go to build/CODENAME/tools (TOOLDIR), what that release's guests
# run.  A kernel of no release (the debug kernel), or PL_NATIVE=1, builds
# here instead, tools in build/tools.  --run runs CMDLINE (bash -c) in
# the current directory of the root instead of make.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PINLEDGER_CACHE:-$ROOT/.cache}
CACHE=$(cd "$CACHE" && pwd -P)
# shellcheck source=scripts/releases.sh
. "$ROOT/scripts/releases.sh"

RUN=
[ "${1:-}" = --run ] && { RUN=1; shift; }
[ $# -ge 1 ] || { echo "usage: $0 [--run] KVER|CODENAME MAKEARGS...|CMDLINE" >&2; exit 2; }
what=$1
shift
kver= rel=
if [ "$what" = native ]; then
	:
elif [ -n "$(rel_field "$what" 2)" ]; then
	rel=$what
else
	kver=$what
	rel=$(rel_of_kernel "$kver")
fi
[ "${PL_NATIVE:-}" = 1 ] && rel=
if [ -n "$RUN" ]; then
	[ -n "$rel" ] || exec bash -c "$1"
	rel_run "$rel" "$1"
	exit
fi
args=("$@")
[ -z "$kver" ] || args=("KVER=$kver" "${args[@]}")
[ -n "$rel" ] || exec make -C "$ROOT" CACHE="$CACHE" "${args[@]}"
rel_run "$rel" "make -C $(printf %q "$ROOT") CACHE=$(printf %q "$CACHE") TOOLDIR=$(printf %q "$ROOT/build/$rel/tools") $(printf '%q ' "${args[@]}")"
