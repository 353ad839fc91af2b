#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# style.sh - host-side style checks (docs/../style.md made executable).
#
# Usage: tests/host/style.sh KERNEL_DOC_SCRIPT
# Prints KTAP.  Checks:
#  1. kernel-doc -Wall is clean on module/, hooks/, include/.
#  2. every non-static function in module/ and hooks/ has kernel-doc
#     with a "Context:" line.
#  3. no LINUX_VERSION_CODE / KERNEL_VERSION in .c files.
#  4. every .c defines pr_fmt with KBUILD_MODNAME (trace.c excepted).
set -uo pipefail
cd "$(dirname "$0")/../.."
KD=$1
n=0
ok()  { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); echo "not ok $n $1"; shift; printf '# %s\n' "$@"; }

C_FILES=$(ls module/*.c hooks/*.c)
H_FILES=$(ls include/*.h include/compat/*.h include/uapi/linux/*.h)
echo "KTAP version 1"
echo "1..4"

out=$(perl "$KD" -none -Wall $C_FILES $H_FILES 2>&1)
[ -z "$out" ] && ok "kernel-doc clean" || nok "kernel-doc clean" "$out"

# A definition is a line at column 0 that opens a parameter list and is
# followed by a line "{"; its comment must precede it.
out=$(awk '
	FNR == 1 { doc = "" }
	/^\/\*\*/ { indoc = 1; doc = "" }
	indoc { doc = doc $0 "\n"; if ($0 ~ /\*\//) indoc = 0; next }
	/^[a-z_].*\(/ && $0 !~ /^static/ && $0 !~ /^(module_|MODULE_|EXPORT_|DEFINE_|DECLARE_)/ {
		cand = $0; cfile = FILENAME; cline = FNR; cdoc = doc; next
	}
	/^\{/ && cand != "" {
		if (cdoc !~ /Context:/)
			print cfile ":" cline ": " cand
		cand = ""; doc = ""; next
	}
	/;[ \t]*$/ { cand = "" }
	/^}/ { doc = "" }
' $C_FILES)
[ -z "$out" ] && ok "non-static functions have kernel-doc with Context" ||
	nok "non-static functions have kernel-doc with Context" "$out"

out=$(grep -nE 'LINUX_VERSION_CODE|KERNEL_VERSION\(' $C_FILES tests/pinholder/*.c 2>/dev/null)
[ -z "$out" ] && ok "no kernel version tests in .c files" ||
	nok "no kernel version tests in .c files" "$out"

out=$(for f in $C_FILES; do
	[ "$f" = module/trace.c ] && continue
	grep -q '^#define pr_fmt(fmt) KBUILD_MODNAME' "$f" || echo "$f"
done)
[ -z "$out" ] && ok "pr_fmt defined in every .c" || nok "pr_fmt defined in every .c" "$out"
