# SPDX-License-Identifier: GPL-2.0
# lib.sh - helpers for guest tests; sourced by each tests/guest/t-*.sh.
#
# A test is a bash script that exits 0 (pass), 4 (skip, with the reason
# on the last line of its output) or anything else (fail).  It runs as
# root inside a guest booted by scripts/guest.sh, with the repository at
# the same path as on the host.  PL_FS is set for per-filesystem tests.

set -euo pipefail

PL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PL_KVER=${PINLEDGER_KVER:-$(uname -r)}
PL_KO=${PL_KO:-$PL_ROOT/build/$PL_KVER/pinledger.ko}
PL_SYSFS=/sys/kernel/pinledger
PL_DEBUGFS=/sys/kernel/debug/pinledger
PL_TRACEFS=/sys/kernel/tracing

# A debug kernel (lockdep, KASAN: /proc/lockdep exists) runs several times
# slower under TCG; tests whose device delays must outlast their own steps
# stretch them by this factor.
PL_SLOWDOWN=${PL_SLOWDOWN:-$([ -e /proc/lockdep ] && echo 3 || echo 1)}

# Mount points prepared by scripts/guest-init.sh.
declare -A PL_MNT=([ext4]=/mnt/ext4dax [xfs]=/mnt/xfsdax)

# pipefail: "producer | grep -q" fails at random (grep exits at the first
# match, the producer's next write gets SIGPIPE); use "grep PAT >/dev/null",
# which reads everything, unless the producer is echo/<<< of a variable.

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 4; }

# pl_load [ARGS]: insmod the module under test.  With PL_LOCKDOWN=1, see
# below: load what is not loaded yet, then lock down.
pl_load() {
	if [ "${PL_LOCKDOWN:-0}" = 1 ]; then
		[ $# -eq 0 ] || fail "pl_load $*: no module parameters in lockdown mode (the module stays loaded)"
		pl_holder_load
		[ -d /sys/module/pinledger ] || insmod "$PL_KO" ||
			fail "cannot load pinledger: lockdown raised before it was loaded?"
		pl_knobs_reset
		pl_lockdown
		return 0
	fi
	insmod "$PL_KO" "$@"
}

# --- lockdown mode (PL_LOCKDOWN=1) ------------------------------------------
# run.sh runs the tool tests a second time as on a Secure Boot machine:
# debugfs unmounted and kernel lockdown at "integrity" (Debian's kernels
# lock down so under Secure Boot), raised once the modules are loaded and
# before their interfaces are used.  Lockdown refuses unsigned modules and
# cannot be lowered in a boot: the modules are loaded once, before it is
# raised, and stay loaded from test to test (run.sh does not unload them
# in this mode); each test starts with the knobs at their defaults.
PL_LOCKDOWN_FILE=/sys/kernel/security/lockdown

# pl_lockdown: unmount debugfs, raise lockdown to integrity (once).
pl_lockdown() {
	if mountpoint -q /sys/kernel/debug; then
		umount /sys/kernel/debug || fail "cannot unmount debugfs"
	fi
	mountpoint -q /sys/kernel/security ||
		mount -t securityfs securityfs /sys/kernel/security ||
		fail "cannot mount securityfs"
	[ -f $PL_LOCKDOWN_FILE ] || fail "no $PL_LOCKDOWN_FILE: kernel without CONFIG_SECURITY_LOCKDOWN_LSM"
	grep -q '\[integrity\]' $PL_LOCKDOWN_FILE || echo integrity > $PL_LOCKDOWN_FILE ||
		fail "cannot raise lockdown"
	grep -q '\[integrity\]' $PL_LOCKDOWN_FILE || fail "lockdown: $(cat $PL_LOCKDOWN_FILE)"
	! mountpoint -q /sys/kernel/debug || fail "debugfs still mounted"
	echo "lockdown: $(cat $PL_LOCKDOWN_FILE), debugfs not mounted"
}

# pl_knobs_reset: every sysfs knob back to its load-time default.
pl_knobs_reset() {
	local dev pol
	echo wait > $PL_SYSFS/policy
	echo 0 > $PL_SYSFS/wait_timeout_ms
	echo 10 > $PL_SYSFS/revoke_signal
	echo 5000 > $PL_SYSFS/revoke_grace_ms
	echo allow > $PL_SYSFS/pagecache_unmap_policy
	echo report > $PL_SYSFS/pagecache_clean_policy
	while read -r dev pol; do
		echo "$dev default" > $PL_SYSFS/fs_policy
	done < $PL_SYSFS/fs_policy
	echo 0 > $PL_SYSFS/longlived_ms
	echo 0 > $PL_SYSFS/capture_stacks
	while read -r dev pol; do
		echo "$dev default" > $PL_SYSFS/fs_longlived_ms
	done < $PL_SYSFS/fs_longlived_ms
}

# knob_state FILE...: "FILE=contents" of each, one line each.
knob_state() { local f; for f in "$@"; do echo "$f=$(tr '\n' ' ' < "$f")"; done; }

# try FILE INPUT: writing INPUT to FILE must fail; prints the errno text.
try() {
	local out
	if out=$(printf '%s' "$2" 2>&1 > "$1"); then
		fail "$1 accepted $(printf '%q' "$2" | head -c 80)"
	fi
	echo "${out##*: }"
}

# pl_unload: rmmod if loaded.
pl_unload() { if [ -d /sys/module/pinledger ]; then rmmod pinledger; fi; }

# pl_counter NAME: value of a debugfs counter.
pl_counter() { awk -v k="$1" '$1 == k { print $2 }' "$PL_DEBUGFS/counters"; }

# pl_dir: the mount point of PL_FS.
pl_dir() { echo "${PL_MNT[$PL_FS]}"; }

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# expect_gt WHAT GOT MIN
expect_gt() {
	[ "$2" -gt "$3" ] || fail "$1: got $2, want > $3"
}

# dmesg_mark: remember where dmesg is; dmesg_since prints what came after.
dmesg_mark() { PL_DMESG_LINES=$(dmesg | wc -l); }
dmesg_since() { dmesg | tail -n +"$((PL_DMESG_LINES + 1))"; }

# dmesg_bad: kernel complaints in the given text (stdin).
dmesg_bad() {
	grep -E 'WARNING:|BUG:|BUG |Oops|general protection|lockdep|possible circular|INFO: task .* blocked|Call Trace|RCU stall|UBSAN|KASAN|refcount_t:' || true
}

PINCTL=$PL_ROOT/build/tools/pinctl
PL_HOLDER_KO=$PL_ROOT/build/$PL_KVER/pinholder/pinholder.ko

# pl_rt: true on a PREEMPT_RT kernel.  What pinledger does differently
# there (probe handlers may not take its locks: module/journal.c DOC,
# module/pagecache.c DOC) is asserted by the tests that meet it.
pl_rt() { [ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ]; }

# pl_holder_load: load the test pin holder (once).
pl_holder_load() {
	[ -d /sys/module/pinholder ] || insmod "$PL_HOLDER_KO"
}

# pin_start NAME ARGS...: run "pinctl ARGS" in the background and wait
# until it holds its references; its pid is in PIN_<NAME>, its output in
# /tmp/pin.NAME, and "addr=" of its mapping in PINADDR_<NAME>.
pin_start() {
	local name=$1 i pid
	shift
	# A test run twice in one boot ("lockdown: twice") finds the last
	# run's "ready" here: remove it before the background shell can lose
	# the race to truncate it.
	rm -f "/tmp/pin.$name"
	"$PINCTL" "$@" > "/tmp/pin.$name" 2>&1 < /dev/null &
	pid=$!
	eval "PIN_$name=$pid"
	for i in $(seq 600); do
		if grep -qs '^ready' "/tmp/pin.$name"; then
			eval "PINADDR_$name=$(sed -n 's/^ready .*addr=\([^ ]*\).*/\1/p' "/tmp/pin.$name")"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	cat "/tmp/pin.$name" >&2
	fail "pinctl $* did not get ready"
}

# pin_stop NAME: make pinctl NAME release and wait for it.
pin_stop() {
	local pid
	eval "pid=\$PIN_$1"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || fail "pinctl $1 failed: $(cat "/tmp/pin.$1")"
}

# pins_of INO: ledger lines of a file's pages (by inode number).
pins_of() { grep -E "file=[0-9]+:[0-9]+:$1:" "$PL_DEBUGFS/pins" || true; }

# wait_pins_gone INO BOUND_MS WHAT: wait until no ledger entry of the
# file is left; fail if that takes longer than BOUND_MS (plus 1 s of slack
# for a TCG guest).  Prints how long it took.
wait_pins_gone() {
	local t0 ms bound=$(($2 + 1000))
	t0=$(date +%s%N)
	while [ -n "$(pins_of "$1")" ]; do
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		[ $ms -le $bound ] || { pins_of "$1"; fail "$3: entries left ${ms} ms later (bound ${bound} ms)"; }
		sleep 0.05
	done
	echo "$3: entries gone $(( ($(date +%s%N) - t0) / 1000000 )) ms later (bound ${bound} ms)"
}

# vmstat NAME: one /proc/vmstat value, per-CPU deltas folded in first
# (node counters are otherwise only folded every stat_interval).
vmstat() {
	echo 1 > /proc/sys/vm/stat_refresh 2>/dev/null || true
	awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat
}

# pl_pin_totals: the totals the ledger must agree with, as variables:
# A and R, /proc/vmstat's nr_foll_pin_acquired and _released; the
# ledger's LA (acquired_pins), LR (released_pins), U (untracked),
# L (lost_releases), UM (unmatched_releases), M (missed_calls) and
# J (journal_absorbs).
pl_pin_totals() {
	A=$(vmstat nr_foll_pin_acquired); R=$(vmstat nr_foll_pin_released)
	LA=$(pl_counter acquired_pins); LR=$(pl_counter released_pins)
	U=$(pl_counter untracked); L=$(pl_counter lost_releases)
	UM=$(pl_counter unmatched_releases); M=$(pl_counter missed_calls)
	J=$(pl_counter journal_absorbs)
}

# --- DAX block-reuse scenario (the stock 6.1/6.12 bugs) -------------------
# victim_make F: an 8-page file of "AAAA\n" lines.
victim_make() { { yes AAAA || true; } | head -c 32768 > "$1"; sync; }

# ballast_fill DIR [slack]: leave nothing free (or 256 KiB with "slack"),
# so that blocks freed later are reused by fill_other.
ballast_fill() {
	local free i=0
	free=$(stat -f -c '%a * %S' "$1" | bc)
	if [ "${2:-}" = slack ]; then
		# Leave 256 KiB available (what reproduces reuse on xfs).
		fallocate -l $((free - 262144)) "$1/ballast"
		return
	fi
	fallocate -l $((free * 9 / 10)) "$1/ballast"
	# Then take everything the filesystem still gives out (ext4 lets
	# root into its reserve): what a truncate frees is all that is free.
	while fallocate -l 1M "$1/ballast.m$i" 2>/dev/null; do i=$((i + 1)); done
	i=0
	while fallocate -l 4k "$1/ballast.k$i" 2>/dev/null; do i=$((i + 1)); done
}

# fill_other DIR: another file takes every free block ("BBBB\n" lines).
fill_other() {
	{ yes BBBB || true; } | dd of="$1/other" bs=4k iflag=fullblock status=none 2>/dev/null || true
	sync
}

# fs_reset DIR: remove what the scenario created.
fs_reset() { rm -f "$1"/ballast* "$1"/other "$1"/victim*; sync; }

# pipe_first NAME: first 4 bytes (hex) the vmsplice holder read back.
pipe_first() { sed -n 's/^released first=//p' "/tmp/pin.$1"; }
A_HEX=41414141
B_HEX=42424242
