#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: twice
# A bpftrace one-liner on a pinledger tracepoint: count releases by owner
# and sum lifetimes.  bpftrace reads the event's fields from its tracefs
# format file (args->tgid ...), so no module BTF is needed (6.1 has none).
#
# The script ends itself (exit() when a marker command is exec'd) rather
# than on SIGINT: bpftrace 0.17 (Debian 12) acts on SIGINT only if it
# interrupts its epoll_wait(); one that lands anywhere else sets the flag
# and is never looked at again, so the run went on to timeout's SIGTERM
# (CI, 6.1 [lockdown]: "bpftrace exited 124" with the right maps).
. "$(dirname "$0")/lib.sh"

command -v bpftrace >/dev/null || skip "bpftrace not installed: run scripts/provision.sh"
f=/mnt/ext4dax/bt.$$
out=/tmp/bt.out.$$
stop=/tmp/plbt_stop
ln -sf "$(type -P true)" $stop	# comm of the exec'd marker: plbt_stop
pl_holder_load
pl_load
dd if=/dev/zero of=$f bs=4k count=4 status=none
ino=$(stat -c %i $f)
prog='tracepoint:pinledger:pin_release /args->ino == '$ino'/ { @releases[args->tgid] = count(); @lifetime_us = hist(args->lifetime_ns / 1000); }'
echo "bpftrace -e '$prog'"
prog="$prog"' tracepoint:sched:sched_process_exec /comm == "plbt_stop"/ { exit(); }'
# bpftrace prints this line on stderr once every probe is attached.
__BPFTRACE_NOTIFY_PROBES_ATTACHED=1 timeout 120 bpftrace -e "$prog" > $out 2>&1 & bp=$!
for i in $(seq 1200); do
	grep -qs '^__BPFTRACE_NOTIFY_PROBES_ATTACHED' $out && break
	kill -0 $bp 2>/dev/null || fail "bpftrace: $(cat $out)"
	sleep 0.05
done
grep -qs '^__BPFTRACE_NOTIFY_PROBES_ATTACHED' $out || fail "bpftrace did not attach: $(cat $out)"
pin_start h hold $f --pages 4
pin_stop h
$stop
wait $bp || fail "bpftrace exited $?: $(cat $out)"
cat $out
grep -q "^@releases\[$PIN_h\]: 4$" $out || fail "want @releases[$PIN_h]: 4"
grep -q '^@lifetime_us:' $out || fail "no lifetime histogram"
rm -f $f $out $stop
