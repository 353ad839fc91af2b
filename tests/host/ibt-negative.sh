#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ibt-negative.sh - scripts/check-ibt.sh must reject a module that calls
# through a function pointer (what calling a kprobe-derived address looks
# like), so that its "ok" on pinledger.ko means something.
#
# Usage: tests/host/ibt-negative.sh KDIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/bad.c" <<'SRC'
#include <linux/module.h>
#include <linux/kprobes.h>
static unsigned long (*lookup)(const char *name);
static int __init bad_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

	if (register_kprobe(&kp))
		return -ENOENT;
	lookup = (void *)kp.addr;
	unregister_kprobe(&kp);
	return lookup("jiffies") ? 0 : -ENOENT;
}
module_init(bad_init);
MODULE_LICENSE("GPL");
SRC
echo 'obj-m := bad.o' > "$TMP/Kbuild"
make -s -C "$1" M="$TMP" modules >/dev/null 2>&1
[ -f "$TMP/bad.ko" ] || { echo "the module with an indirect call did not build"; exit 1; }
if "$ROOT/scripts/check-ibt.sh" "$TMP/bad.ko"; then
	echo "check-ibt accepted a module with an indirect call"
	exit 1
fi
echo "check-ibt rejected the bad module, as it must"
