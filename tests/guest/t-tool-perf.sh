#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# The module's tracepoints with perf: "perf list" shows them, "perf record
# -e 'pinledger:*'" records the holder's pins and "perf script" decodes
# them with the right tgid, flags, file and lifetime.
#
# Debian's linux-perf for bookworm (6.1) installs /usr/bin/perf itself,
# not a wrapper that picks perf_<version> by uname, so the same binary
# runs on the 6.1 and 6.12 guests; tracepoint decoding uses each event's
# tracefs format file, so no BTF is involved.
. "$(dirname "$0")/lib.sh"

command -v perf >/dev/null || skip "perf not installed (linux-perf): run scripts/provision.sh"
f=/mnt/ext4dax/perf.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=4 status=none
ino=$(stat -c %i $f)
perf --version
perf list 'pinledger:*' 2>&1 | tee /tmp/perf.list | head -3
expect_eq "events in perf list" "$(grep -c 'pinledger:.*Tracepoint event' /tmp/perf.list)" \
	"$(ls -d $PL_TRACEFS/events/pinledger/*/ | wc -l)"
perf record -q -e 'pinledger:*' -o /tmp/perf.data -- \
	$PINCTL hold $f --pages 4 --write --hold-ms 300 > /tmp/perf.pinctl ||
	fail "perf record failed"
pid=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' /tmp/perf.pinctl)
perf script -i /tmp/perf.data > /tmp/perf.script 2>/tmp/perf.err || fail "perf script: $(cat /tmp/perf.err)"
grep "ino=$ino " /tmp/perf.script | head -4
n=$(grep -Ec "pinctl +$pid .*pinledger:pin_acquire: .*ino=$ino index=[0-3] tgid=$pid flags=PIN\|WRITE" /tmp/perf.script || true)
expect_eq "pin_acquire samples" "$n" 4
n=$(grep -Ec "pinledger:pin_release: .*ino=$ino index=[0-3] tgid=$pid flags=PIN .*lifetime_ns=[1-9][0-9]* reconciled=0" /tmp/perf.script || true)
expect_eq "pin_release samples" "$n" 4
# perf's own field access (-F) works too.
perf script -i /tmp/perf.data -F event,trace 2>/dev/null | grep "pin_release.*lifetime_ns=" >/dev/null ||
	fail "perf script -F event,trace"
rm -f $f
