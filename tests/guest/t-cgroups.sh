#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pins by cgroup: two holders in two cgroup v2 groups.  Each owner carries
# its task's cgroup (so do its pin_acquire events): debugfs cgroups counts
# each group's pages and pins, `pinledger pins --cgroup` keeps one group's
# rows (by cgroup path or by its directory), `status` and `top --by
# cgroup` sum by group, and pages of owners reported long-lived are
# counted per group.
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
PL_FS=ext4
d=$(pl_dir)
f=$d/cg.$$
g=$d/cg2.$$
CG=/sys/fs/cgroup
mountpoint -q $CG || mount -t cgroup2 none $CG || fail "cannot mount cgroup2"
grep -q "^$CG cgroup2\| $CG cgroup2 " /proc/mounts || skip "$CG is not cgroup2 (v1 only?)"
mkdir -p $CG/pl-a $CG/pl-b
id_a=$(stat -c %i $CG/pl-a)
id_b=$(stat -c %i $CG/pl-b)
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=8 status=none
dd if=/dev/zero of=$g bs=4k count=8 status=none

# in_cgroup CG: a pinctl that moves itself into CG first.
REAL=$PINCTL
in_cgroup() {
	printf '#!/bin/sh\necho $$ > %s/cgroup.procs || exit 99\nexec %s "$@"\n' \
		"$CG/$1" "$REAL" > /tmp/pinctl-$1
	chmod +x /tmp/pinctl-$1
	PINCTL=/tmp/pinctl-$1
}
T=$PL_TRACEFS
echo > $T/trace
echo 1 > $T/events/pinledger/pin_acquire/enable
in_cgroup pl-a
pin_start a hold $f --pages 4 --write
echo 0 > $T/events/pinledger/pin_acquire/enable
expect_eq "pin_acquire events of holder a with its cgroup" \
	"$(grep -Ec "pin_acquire: .* tgid=$PIN_a flags=PIN\|WRITE callsite=.* cgroup=$id_a$" $T/trace || true)" 4
in_cgroup pl-b
pin_start b hold $g --pages 2
pin_start v vmsplice $g --pages 3 --offset 4
PINCTL=$REAL
expect_eq "holder a's cgroup" "$(cut -d: -f3 /proc/$PIN_a/cgroup)" /pl-a
expect_eq "holder b's cgroup" "$(cut -d: -f3 /proc/$PIN_b/cgroup)" /pl-b

# debugfs: one line per cgroup.  (Waits out the exec argument pages of
# the holders, FOLL_GETs reconciliation drops within 2 * reconcile_ms if
# the ledger saw them while held.)
line() { grep "^cgroup=$1 " $PL_DEBUGFS/cgroups || true; }
wait_line() {
	local i
	for i in $(seq 60); do
		[ "$(line $1)" = "$2" ] && return 0
		sleep 0.1
	done
	cat $PL_DEBUGFS/cgroups
	expect_eq "debugfs cgroups, $1" "$(line $1)" "$2"
}
wait_line $id_a "cgroup=$id_a pages=4 pins=4 gets=0 longlived_pages=0"
wait_line $id_b "cgroup=$id_b pages=5 pins=2 gets=3 longlived_pages=0"
cat $PL_DEBUGFS/cgroups

# pins --cgroup: by path below the mount, and by directory.
out=$($PLT pins --cgroup /pl-a)
echo "$out"
expect_eq "--cgroup /pl-a: holders" "$(echo "$out" | awk 'NR > 1 { print $1 }' | sort -u)" "$PIN_a"
expect_eq "--cgroup /pl-a: pages" "$(echo "$out" | awk 'NR > 1 && $4 != "anon" { n += $3 } END { print n }')" 4
expect_eq "--cgroup /pl-a: CGROUP column" "$(echo "$out" | awk 'NR > 1 { print $NF }' | sort -u)" /pl-a
out=$($PLT pins --cgroup $CG/pl-b --json)
expect_eq "--cgroup $CG/pl-b: holders" "$(echo "$out" | jq -r '[.[].tgid] | unique | map(tostring) | join(" ")')" \
	"$(printf '%s\n' $PIN_b $PIN_v | sort -n | tr '\n' ' ' | sed 's/ $//')"
expect_eq "--cgroup $CG/pl-b: pages" "$(echo "$out" | jq '[.[] | select(.anon != true) | .pages] | add')" 5
expect_eq "--cgroup $CG/pl-b: cgroup fields" "$(echo "$out" | jq -r --argjson id $id_b '[.[] | select(.cgroup == "/pl-b" and .cgroup_id == $id)] | length')" \
	"$(echo "$out" | jq length)"
expect_eq "--cgroup with --pid of the other group" "$($PLT pins --cgroup /pl-a --pid $PIN_b --json | jq length)" 0
$PLT pins --cgroup /no-such-group > /dev/null 2> /tmp/cg.err && fail "--cgroup of no cgroup succeeded"
grep -q "no-such-group" /tmp/cg.err || fail "--cgroup error: $(cat /tmp/cg.err)"

# status and top, summed by cgroup.
st=$($PLT status)
echo "$st" | sed -n '/^pins by cgroup/,/^counters/p'
echo "$st" | grep -Eq "^  /pl-a +4 +4 +0 +0$" || fail "status: /pl-a row"
echo "$st" | grep -Eq "^  /pl-b +5 +2 +3 +0$" || fail "status: /pl-b row"
expect_eq "status --json: pl-a pages" "$($PLT status --json | jq --argjson id $id_a '.cgroups[] | select(.cgroup_id == $id) | .pages')" 4
top=$($PLT top -b -n 1 -d 0.3 --no-bpf --by cgroup)
echo "$top"
echo "$top" | grep -Eq "^/pl-a +4 +4 +0 +1 " || fail "top --by cgroup: /pl-a row"
echo "$top" | grep -Eq "^/pl-b +5 +2 +3 +1 " || fail "top --by cgroup: /pl-b row"

# Long-lived pages per cgroup.
echo 300 > $PL_SYSFS/longlived_ms
wait_line $id_a "cgroup=$id_a pages=4 pins=4 gets=0 longlived_pages=4"
expect_eq "pins --longlived --cgroup /pl-a: pages" \
	"$($PLT pins --longlived --cgroup /pl-a --json | jq '[.[].pages] | add')" 4
pl_knobs_reset

pin_stop a
pin_stop b
pin_stop v
wait_line $id_a ""
rmdir $CG/pl-a $CG/pl-b
rm -f $f $g /tmp/pinctl-pl-a /tmp/pinctl-pl-b
