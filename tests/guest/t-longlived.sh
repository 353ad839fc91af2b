#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# Long-lived pins: a vmsplice() holder (FOLL_GET, iter_to_pipe) and a
# pin_user_pages() holder kept past longlived_ms each produce exactly one
# pinledger:pin_longlived event naming them, with the pinner's stack when
# capture_stacks=1; a pin released before the threshold produces none.
# The reports show in debugfs longlived and `pinledger pins --longlived`,
# and the counter matches the events.  fs_longlived_ms turns reports off
# for one filesystem and sets its own threshold.  Bad input on the three
# knobs: EINVAL, a dmesg line naming the knob, state unchanged.
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger
T=$PL_TRACEFS
d=$(pl_dir)
f=$d/ll.$$
g=$d/ll2.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=8 status=none
dd if=/dev/zero of=$g bs=4k count=8 status=none
ino=$(stat -c %i $f)
ino_g=$(stat -c %i $g)
dev=$(stat -c '%Hd:%Ld' $d)

ev_on() {
	echo > $T/trace
	echo 1 > $T/events/pinledger/pin_longlived/enable
}
# events TGID: pin_longlived lines naming TGID as the holder.
events() { grep -E "pin_longlived: .* tgid=$1 " $T/trace || true; }
# wait_event TGID SECS: until one shows.
wait_event() {
	local i
	for i in $(seq $(($2 * 10))); do
		[ -n "$(events $1)" ] && return 0
		sleep 0.1
	done
	fail "no pin_longlived event for tgid $1 within $2 s"
}

# --- reports, with stacks --------------------------------------------------
# PREEMPT_RT refuses capture_stacks (the stack depot allocates with
# preemption disabled): there the reports carry stack=0.
if pl_rt; then
	expect_eq "rt: capture_stacks <- 1" "$(try $PL_SYSFS/capture_stacks 1)" "Operation not supported"
	S=0
else
	echo 1 > $PL_SYSFS/capture_stacks
	S='[1-9]'
fi
ev_on				# before the threshold: every report is traced
echo 500 > $PL_SYSFS/longlived_ms
pin_start s hold $g --pages 2 --hold-ms 100	# released well before 500 ms
pin_start v vmsplice $f --pages 4
pin_start h hold $f --pages 2 --offset 4 --write
wait_event $PIN_h 10
wait_event $PIN_v 10	# FOLL_GET: not before 3 * reconcile_ms
sleep 2			# several scan periods: still one each
cat $T/trace | grep pin_longlived
expect_eq "events for the vmsplice holder" "$(events $PIN_v | wc -l)" 1
expect_eq "events for the pin holder" "$(events $PIN_h | wc -l)" 1
expect_eq "events for the short pin" "$(events $PIN_s | wc -l)" 0
events $PIN_v | grep -Eq "dev=$dev ino=$ino index=[0-3] tgid=$PIN_v comm=pinctl flags=GET callsite=.* age_ms=[0-9]+ refs=4 cgroup=[0-9]+ stack=$S" ||
	fail "vmsplice event fields: $(events $PIN_v)"
events $PIN_h | grep -Eq "dev=$dev ino=$ino index=4 tgid=$PIN_h comm=pinctl flags=PIN\|WRITE callsite=take\+.* refs=2 cgroup=[0-9]+ stack=$S" ||
	fail "pin event fields: $(events $PIN_h)"
age=$(events $PIN_h | sed -n 's/.* age_ms=\([0-9]*\) .*/\1/p')
[ "$age" -ge 500 ] || fail "reported at age $age ms, before the 500 ms threshold"
# The counter against the events: other owners (a FOLL_GET of 9p's
# zero-copy I/O whose page looks still held, say) may be reported at any
# time, so read the two until no report lands in between.
for i in 1 2 3 4 5; do
	c0=$(cat $PL_SYSFS/counters/longlived_pins)
	all=$(grep -c "pin_longlived:" $T/trace)
	c1=$(cat $PL_SYSFS/counters/longlived_pins)
	[ "$c0" = "$c1" ] && break
done
[ "$c1" = "$all" ] || grep pin_longlived: $T/trace
expect_eq "longlived_pins counter = events" "$c1" "$all"

# The stack names the real entry point.
sed -n "/^tgid=$PIN_v /,/^tgid=/p" $PL_DEBUGFS/longlived | tee /tmp/ll.stack
pl_rt || grep -Eq "^    (iter_to_pipe|vmsplice_to_pipe|__do_sys_vmsplice|__x64_sys_vmsplice)\+" /tmp/ll.stack ||
	fail "debugfs longlived: no vmsplice frame in the stack"
grep -Eq "^tgid=$PIN_v comm=pinctl flags=GET age_ms=[0-9]+ refs=4 pfn=0x[0-9a-f]+ file=$dev:$ino:[0-3] cgroup=[0-9]+ callsite=.* stack=$S" /tmp/ll.stack ||
	fail "debugfs longlived: report line"

# pinledger pins --longlived: the two long-lived owners, with stacks.
out=$($PLT pins --longlived)
echo "$out"
echo "$out" | awk -v v=$PIN_v -v h=$PIN_h '$1 == v || $1 == h { n++; if ($9 !~ /!$/) bad = 1 } END { exit n != 2 || bad }' ||
	fail "pins --longlived: want the two owners, ages marked '!'"
pl_rt || echo "$out" | grep -Eq "^        (iter_to_pipe|vmsplice_to_pipe|__do_sys_vmsplice|__x64_sys_vmsplice)\+" ||
	fail "pins --longlived: no vmsplice frame"
json=$($PLT pins --longlived --json)
if pl_rt; then
	echo "$json" | jq -e --argjson v $PIN_v '[.[] | select(.tgid == $v and .longlived == true)] | length == 1' >/dev/null ||
		fail "pins --longlived --json: $json"
else
	echo "$json" | jq -e --argjson v $PIN_v '[.[] | select(.tgid == $v and .longlived == true and (.stack | map(test("iter_to_pipe|vmsplice")) | any))] | length == 1' >/dev/null ||
		fail "pins --longlived --json: $json"
fi
expect_eq "pins --longlived: the short pin" "$($PLT pins --longlived --pid $PIN_s --json | jq length)" 0
pin_stop v
pin_stop h
pin_stop s

# Without capture_stacks: reported, no stack.
echo 0 > $PL_SYSFS/capture_stacks
ev_on
pin_start h hold $f --pages 1
wait_event $PIN_h 10
events $PIN_h | grep -q " stack=0$" || fail "stack without capture_stacks: $(events $PIN_h)"
pin_stop h

# --- fs_longlived_ms ------------------------------------------------------
echo "$d 0" > $PL_SYSFS/fs_longlived_ms		# off on this filesystem
expect_eq "fs_longlived_ms" "$(cat $PL_SYSFS/fs_longlived_ms)" "$dev 0"
ev_on
pin_start h hold $f --pages 1
sleep 1.5
expect_eq "events with reports off for $d" "$(events $PIN_h | wc -l)" 0
pin_stop h
echo 0 > $PL_SYSFS/longlived_ms
echo "$dev 300" > $PL_SYSFS/fs_longlived_ms	# its own threshold
ev_on
pin_start h hold $f --pages 1
wait_event $PIN_h 10
pin_stop h
echo "$dev default" > $PL_SYSFS/fs_longlived_ms
expect_eq "fs_longlived_ms after default" "$(cat $PL_SYSFS/fs_longlived_ms)" ""

# --- bad input -------------------------------------------------------------
echo 700 > $PL_SYSFS/longlived_ms
echo "$dev 900" > $PL_SYSFS/fs_longlived_ms
knobs="$PL_SYSFS/longlived_ms $PL_SYSFS/fs_longlived_ms $PL_SYSFS/capture_stacks"
state() { knob_state $knobs; }
before=$(state)
long=$(head -c 5000 /dev/zero | tr '\0' a)
dmesg_mark
for g2 in bogus -1 99999999999999999999 4294967296 86400001 " " 1e3 0x "$long" \
	  "$(head -c 64 /dev/urandom | tr -d '\0')"; do
	for k in $PL_SYSFS/longlived_ms $PL_SYSFS/capture_stacks; do
		expect_eq "$k <- $(printf '%q' "$g2" | head -c 40)" "$(try $k "$g2")" "Invalid argument"
	done
done
expect_eq "capture_stacks <- 2" "$(try $PL_SYSFS/capture_stacks 2)" "Invalid argument"
for g2 in bogus "$dev" "$dev -1" "$dev 86400001" "$dev bogus" "0:0 100" "1:2:3 100" "$long 1"; do
	expect_eq "fs_longlived_ms <- $(printf '%q' "$g2" | head -c 40)" \
		"$(try $PL_SYSFS/fs_longlived_ms "$g2")" "Invalid argument"
done
expect_eq "fs_longlived_ms <- missing path" \
	"$(try $PL_SYSFS/fs_longlived_ms "/no/such/path 100")" "No such file or directory"
msgs=$(dmesg_since)
for name in longlived_ms fs_longlived_ms capture_stacks; do
	echo "$msgs" | grep -q "pinledger: $name: " || fail "no dmesg line for $name"
done
expect_eq "state after bad input" "$(state)" "$before"
# A non-root user changes nothing.
for k in $knobs; do
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo 1 > $k" 2>/dev/null &&
		fail "non-root wrote $k"
done
expect_eq "state after non-root writes" "$(state)" "$before"
pl_knobs_reset
rm -f $f $g
