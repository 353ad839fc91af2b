#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every writable sysfs, debugfs and module-parameter file of pinledger,
# written with garbage (random bytes, overlong strings, negative and huge
# numbers, unknown names, paths that do not exist, a directory): each
# write fails with EINVAL (or the lookup's error for paths), names the
# cause in one dmesg line (rate-limited, escaped), and leaves the state
# unchanged.  Read-only files refuse writes.  A non-root user can change
# nothing and can read no per-pin data (debugfs, tracefs).
. "$(dirname "$0")/lib.sh"

pl_load
S=$PL_SYSFS
D=$PL_DEBUGFS
P=/sys/module/pinledger/parameters
knobs="$S/policy $S/wait_timeout_ms $S/revoke_signal $S/revoke_grace_ms
	$S/fs_policy $S/pagecache_unmap_policy $S/pagecache_clean_policy
	$P/reconcile_ms $D/fail_alloc_percent"
for f in $knobs; do [ -f $f ] || fail "missing $f"; done

state() { knob_state $knobs; }
before=$(state)

rand() { head -c "$1" /dev/urandom | tr -d '\0'; }
long=$(head -c 5000 /dev/zero | tr '\0' a)
garbage=("bogus" "-1" "99999999999999999999" "4294967296" " " "\n" "$long"
	 "wait block" "1e3" "0x" "$(rand 64)" "$(rand 300)")

# One rejection per file first: each names its cause in dmesg.
dmesg_mark
for f in $knobs; do
	err=$(try $f bogus)
	[ "$err" = "Invalid argument" ] || fail "$f: bogus gave '$err', want EINVAL"
done
msgs=$(dmesg_since)
for name in policy wait_timeout_ms revoke_signal revoke_grace_ms fs_policy \
	    pagecache_unmap_policy pagecache_clean_policy reconcile_ms fail_alloc_percent; do
	echo "$msgs" | grep -q "pinledger: $name: " || { echo "$msgs"; fail "no dmesg line for $name"; }
done
echo "each knob rejected 'bogus' with EINVAL and a dmesg line naming it"

# Then the flood.
dmesg_mark
t0=$(date +%s)
n=0
for f in $knobs; do
	for g in "${garbage[@]}"; do
		try $f "$g" > /dev/null
		n=$((n + 1))
	done
done
err=$(try $S/fs_policy "/no/such/file block")
echo "$S/fs_policy: nonexistent path: $err"
n=$((n + 1))
flood=$(dmesg_since | grep 'pinledger:' || true)
lines=$(echo "$flood" | grep -c . || true)
# printk_ratelimit: at most 10 lines per call site per 5 s; 7 sites.
bound=$(( 70 * (($(date +%s) - t0) / 5 + 1) ))
echo "$n garbage writes rejected; $lines dmesg lines (bound $bound)"
[ "$lines" -lt "$n" ] && [ "$lines" -le "$bound" ] ||
	fail "dmesg not rate-limited: $lines lines for $n writes"
echo "$flood" | LC_ALL=C grep -q '[^[:print:]]' && fail "unescaped bytes in dmesg"
expect_eq "state after garbage" "$(state)" "$before"

# debugfs is read-only but for the test knob (tools use /dev/pinledger,
# t-uapi-bad-input.sh): no writable query file, every other file 0400.
[ -e $D/query ] && fail "debugfs still has the writable query file"
for f in $D/*; do
	[ "$f" = $D/fail_alloc_percent ] && continue
	expect_eq "mode of $f" "$(stat -c %a $f)" 400
done

# Read-only files refuse writes, even from root.
for f in $S/version $S/features $S/deferred_evictions $S/counters/live_pages \
	 $D/counters $D/pins $D/hooks $D/waiters; do
	{ printf 1 > $f; } 2>/dev/null && fail "$f accepted a write"
done
expect_eq "state after read-only writes" "$(state)" "$before"
echo "read-only files refused writes"

# Non-root: no changes, no per-pin data.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
for f in $knobs; do
	nobody sh -c "printf block > $f" 2>/dev/null && fail "non-root wrote $f"
done
for f in $D/pins $D/counters $D/waiters $D/hooks $PL_TRACEFS/trace; do
	nobody cat $f > /dev/null 2>&1 && fail "non-root read $f"
done
nobody cat $S/policy > /dev/null || fail "non-root cannot read the policy"
expect_eq "state after non-root writes" "$(state)" "$before"
echo "non-root: every write refused, debugfs and tracefs unreadable"
