#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lockdown: last
# pinledger tool: clear one-line errors and non-zero exits for a module
# that is not loaded (1), bad arguments (2) and a caller who is not root
# (1), each saying what to do.  In lockdown mode (run last: a module
# unloaded under lockdown cannot be loaded again) the module is loaded
# first and unloaded for the not-loaded checks at the end.
. "$(dirname "$0")/lib.sh"

PLT=$PL_TOOLS/pinledger

# expect_err RC PATTERN CMD...: CMD exits RC with one stderr line matching.
expect_err() {
	local rc=0 want=$1 pat=$2 out
	shift 2
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	echo "$* -> $rc: $out"
	expect_eq "exit status of '$*'" $rc $want
	expect_eq "stderr lines of '$*'" "$(echo "$out" | wc -l)" 1
	echo "$out" | grep -q -e "$pat" || fail "'$*': '$out' does not match '$pat'"
}

not_loaded() {
	local c
	for c in status pins "who /mnt/ext4dax" top hist trace policy; do
		# shellcheck disable=SC2086
		expect_err 1 "module not loaded.*modprobe pinledger" $PLT $c
	done
}

if [ "${PL_LOCKDOWN:-0}" != 1 ]; then
	pl_unload
	not_loaded
fi
pl_load
expect_err 2 "unknown command 'frob'" $PLT frob
expect_err 2 "--by takes comm, flags or fs" $PLT hist --by size
expect_err 2 "unknown policy 'sometimes'" $PLT policy sometimes
expect_err 2 "--fs needs a policy" $PLT policy --fs /mnt/ext4dax
expect_err 2 "who: which file" $PLT who
expect_err 1 "No such file" $PLT who /nonexistent
expect_err 2 "-n takes" $PLT top -b -n 0
expect_err 2 "no event pinledger:nope\|bad option" $PLT trace --event nope
expect_err 1 "--fs /nonexistent: No such file" $PLT policy block --fs /nonexistent
for c in pins "who /mnt/ext4dax" hist trace "policy block" top; do
	# shellcheck disable=SC2086
	expect_err 1 "needs root: run it as root" setpriv --reuid 65534 --regid 65534 --clear-groups $PLT $c
done
# status works for anyone (sysfs), with the sysfs counters.
setpriv --reuid 65534 --regid 65534 --clear-groups $PLT status | grep '^policy  *wait' >/dev/null ||
	fail "status as nobody"
expect_eq "policy unchanged by the failed calls" "$(cat $PL_SYSFS/policy)" wait
if [ "${PL_LOCKDOWN:-0}" = 1 ]; then
	rmmod pinledger
	not_loaded
fi
