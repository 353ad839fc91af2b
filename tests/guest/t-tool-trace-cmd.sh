#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# The module's tracepoints with trace-cmd: "trace-cmd record -e pinledger"
# around the holder, "trace-cmd report" decodes its pins and releases.
. "$(dirname "$0")/lib.sh"

command -v trace-cmd >/dev/null || skip "trace-cmd not installed: run scripts/provision.sh"
f=/mnt/ext4dax/tc.$$
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=4 status=none
ino=$(stat -c %i $f)
trace-cmd list -e pinledger | tee /tmp/tc.list
grep -qx 'pinledger:pin_release' /tmp/tc.list || fail "trace-cmd list -e: no pinledger:pin_release"
trace-cmd record -q -e pinledger -o /tmp/tc.dat \
	$PINCTL hold $f --pages 4 --hold-ms 300 > /tmp/tc.pinctl 2>/tmp/tc.err ||
	fail "trace-cmd record: $(cat /tmp/tc.err)"
pid=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' /tmp/tc.pinctl)
trace-cmd report -i /tmp/tc.dat > /tmp/tc.report 2>/tmp/tc.err || fail "trace-cmd report: $(cat /tmp/tc.err)"
grep "ino=$ino " /tmp/tc.report | head -4
n=$(grep -Ec "pin_acquire: +pfn=0x[0-9a-f]+ dev=[0-9]+:[0-9]+ ino=$ino index=[0-3] tgid=$pid flags=PIN " /tmp/tc.report || true)
expect_eq "pin_acquire events" "$n" 4
n=$(grep -Ec "pin_release: +pfn=0x[0-9a-f]+ .*ino=$ino index=[0-3] tgid=$pid flags=PIN .*lifetime_ns=[1-9]" /tmp/tc.report || true)
expect_eq "pin_release events" "$n" 4
rm -f $f /tmp/tc.dat
