#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-ibt.sh - fail if pinledger.ko could call through a computed address.
#
# Usage: scripts/check-ibt.sh MODULE.ko...
#
# Debian 6.12 enforces IBT on capable Intel CPUs: an indirect call into a
# sealed kernel function or a static function without ENDBR is fatal.  The
# guests here cannot enforce IBT, so this host-side check holds the rule
# instead: the module may contain no indirect call or jump at all (with
# retpolines they appear as calls to __x86_indirect_thunk_*), except in
# functions the kernel's own macros generate and whose targets the kernel
# registered itself:
#   __traceiter_*	tracepoint iterators (call registered probes)
# and paravirt operations: "call *pv_ops+N(%rip)", which local_irq_save()
# and friends compile to on kernels with CONFIG_PARAVIRT_XXL, is the
# kernel's own table of native (ENDBR) functions, and the alternatives
# patcher rewrites those calls into inline instructions at module load.
# It also fails if the module references kallsyms lookups.
set -euo pipefail

ALLOW='^(__traceiter_[A-Za-z0-9_]+)$'
rc=0
for ko in "$@"; do
	bad=$(objdump -dr --no-show-raw-insn "$ko" | awk -v allow="$ALLOW" '
		pending != "" {
			if ($0 !~ /R_X86_64_PC32[ \t]+pv_ops\+/) print pending
			pending = ""
		}
		/^[0-9a-f]+ <[^>]+>:$/ { fn = substr($2, 2, length($2) - 3) }
		/__x86_indirect_(thunk|call_thunk|jump_thunk)|(call|jmp)[lq]? +\*/ {
			if (fn ~ allow) next
			if ($0 ~ /call +\*0x0\(%rip\)/) pending = fn ": " $0
			else print fn ": " $0
		}
		END { if (pending != "") print pending }')
	if [ -n "$bad" ]; then
		echo "check-ibt: $ko: indirect branches outside the allow-list:"
		echo "$bad"
		rc=1
	fi
	if nm -u "$ko" | grep -qE 'kallsyms_(lookup_name|on_each_symbol)'; then
		echo "check-ibt: $ko: references a kallsyms lookup"
		rc=1
	fi
done
exit $rc
