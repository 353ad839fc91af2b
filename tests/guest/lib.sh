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
# The test tools of the guest's userland: built in its release's root
# (scripts/rel-make.sh; guest.sh sets PINLEDGER_RELEASE), else natively.
PL_TOOLS=$PL_ROOT/build/${PINLEDGER_RELEASE:+$PINLEDGER_RELEASE/}tools
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

PINCTL=$PL_TOOLS/pinctl
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

# --- slab object counts (leak checks) --------------------------------------
# kmalloc_objs sets PL_KMALLOC_OBJS to the number of objects allocated from
# the kmalloc caches (kmalloc-8 ... kmalloc-8k and the caches SLUB merged
# into them; not kmalloc-cg-*, kmalloc-rcl-*, dma-kmalloc-*), counted so
# that two counts differ by what was allocated and not freed in between.
# /proc/slabinfo's active_objs alone does not:
# - It is the objects of the cache's slabs less the free ones on the
#   node's partial list: every object of a CPU slab or CPU partial slab
#   counts as allocated.  Writing 1 to the cache's /sys/kernel/slab/*/shrink
#   (kmem_cache_shrink) flushes those to the node first; one allocation
#   from the cache after that takes the first partial slabs back, free
#   objects and all (hundreds in kmalloc-8 on the stock kernels).  So each
#   kmalloc cache is shrunk just before slabinfo computes its line, with
#   the read's buffer (kmalloc-4k) allocated already.
# - Generic KASAN (debug kernels) does not give a freed object back to
#   its slab but keeps it in its quarantine until that exceeds 1/32 of RAM:
#   everything freed lately still counts, thousands of objects after the
#   rounds of t-uapi-bad-input.  kmem_cache_shrink first frees the cache's
#   objects from the quarantine (kasan_cache_shrink).  Every cache is
#   shrunk, the kmalloc ones last, so that slabs of other caches kept by
#   quarantined objects go too, with what was kmalloc'ed for them (memcg's
#   per-slab obj_exts vectors).
# - Each open of a sysfs file allocates its kernfs_open_node (kmalloc) and
#   the last close frees it with kfree_rcu, after a batch delay (up to 5 s
#   on 6.12) and a grace period: a pass over the caches would leave
#   hundreds pending.  slab_hold opens every "shrink" once and keeps it
#   open until slab_release; programs started in between inherit the fds.
# - KFENCE (the debug kernel samples every 100 ms; Debian's 6.12 kernels
#   boot with kfence.sample_interval=0) serves one allocation per interval
#   from its own pool, outside the caches: what it served and was leaked
#   would not count (7 to 9% of a leak of one object per round of
#   t-uapi-bad-input, more the slower the guest).  slab_hold turns the
#   sampling off, slab_release back on.
# No subshell and no program run: a fork's or exec's own allocations would
# be counted (on KASAN, until the quarantine lets them go).
PL_KMALLOC_RE='^kmalloc-[0-9]+k?$'

# slab_hold: open every cache's "shrink" and keep it open; the kmalloc
# caches' names in PL_KMALLOC, the fds in PL_KMALLOC_SHRINK (same order)
# and PL_SLAB_SHRINK (the other caches).  KFENCE sampling off (the interval
# it had in PL_KFENCE_INTERVAL).  A test that can fail before slab_release
# runs it on EXIT, or KFENCE stays off for the rest of the boot.
PL_KFENCE_PARAM=/sys/module/kfence/parameters/sample_interval
slab_hold() {
	local d k fd
	PL_KMALLOC=() PL_KMALLOC_SHRINK=() PL_SLAB_SHRINK=() PL_KFENCE_INTERVAL=
	[ -d /sys/kernel/slab ] || fail "no /sys/kernel/slab"
	if [ -f $PL_KFENCE_PARAM ]; then
		read -r k < $PL_KFENCE_PARAM
		if [ "$k" != 0 ]; then
			echo 0 > $PL_KFENCE_PARAM || fail "cannot turn KFENCE sampling off"
			PL_KFENCE_INTERVAL=$k
		fi
	fi
	for d in /sys/kernel/slab/kmalloc-*; do
		[[ ${d##*/} =~ $PL_KMALLOC_RE ]] || continue
		PL_KMALLOC+=("${d##*/}")
		exec {fd}> "$d/shrink"
		PL_KMALLOC_SHRINK+=("$fd")
	done
	[ ${#PL_KMALLOC[@]} -gt 0 ] || fail "no kmalloc caches in /sys/kernel/slab"
	for d in /sys/kernel/slab/*; do
		# A merged cache's name is a symlink to the cache's directory.
		[ -L "$d" ] && continue
		for k in "${PL_KMALLOC[@]}"; do
			[ "$d" -ef "/sys/kernel/slab/$k" ] && continue 2
		done
		exec {fd}> "$d/shrink"
		PL_SLAB_SHRINK+=("$fd")
	done
}

# slab_release: close what slab_hold opened, KFENCE sampling back on.
slab_release() {
	local fd
	for fd in "${PL_KMALLOC_SHRINK[@]}" "${PL_SLAB_SHRINK[@]}"; do
		exec {fd}>&-
	done
	PL_KMALLOC=() PL_KMALLOC_SHRINK=() PL_SLAB_SHRINK=()
	if [ -n "${PL_KFENCE_INTERVAL:-}" ]; then
		echo "$PL_KFENCE_INTERVAL" > $PL_KFENCE_PARAM ||
			fail "cannot turn KFENCE sampling back on"
		PL_KFENCE_INTERVAL=
	fi
}

# kmalloc_objs: see above; after slab_hold.  PL_KMALLOC_CACHES: each
# cache's count ("kmalloc-128 N kmalloc-16 N ...").
kmalloc_objs() {
	local fd i n r line lines sum=0 each=
	[ ${#PL_KMALLOC[@]} -gt 0 ] || fail "kmalloc_objs without slab_hold"
	for fd in "${PL_SLAB_SHRINK[@]}"; do
		echo 1 >&"$fd" || fail "cannot shrink a slab cache (fd $fd)"
	done
	for i in "${!PL_KMALLOC[@]}"; do
		exec {r}< /proc/slabinfo
		# The first line: the seq buffer is allocated, the kmalloc
		# caches' lines (the oldest caches: the last ones) not made yet.
		read -r -u "$r" line
		echo 1 >&"${PL_KMALLOC_SHRINK[$i]}" || fail "cannot shrink ${PL_KMALLOC[$i]}"
		mapfile -t -u "$r" lines
		exec {r}<&-
		n=
		for line in "${lines[@]}"; do
			if [[ $line =~ ^${PL_KMALLOC[$i]}\ +([0-9]+)\  ]]; then
				n=${BASH_REMATCH[1]}
				break
			fi
		done
		[ -n "$n" ] || fail "no ${PL_KMALLOC[$i]} in /proc/slabinfo"
		sum=$((sum + n))
		each+="${PL_KMALLOC[$i]} $n "
	done
	PL_KMALLOC_OBJS=$sum
	PL_KMALLOC_CACHES=${each% }
}

# kmalloc_growth BEFORE AFTER: the caches whose count changed from one
# PL_KMALLOC_CACHES to another, "kmalloc-1k +200 ...".
kmalloc_growth() {
	local -A was=()
	local -a a
	local i d out=
	read -ra a <<< "$1"
	for ((i = 0; i < ${#a[@]}; i += 2)); do
		was[${a[i]}]=${a[i + 1]}
	done
	read -ra a <<< "$2"
	for ((i = 0; i < ${#a[@]}; i += 2)); do
		d=$((a[i + 1] - ${was[${a[i]}]:-0}))
		[ $d -eq 0 ] || out+="${a[i]} $(printf %+d $d) "
	done
	echo "${out% }"
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
