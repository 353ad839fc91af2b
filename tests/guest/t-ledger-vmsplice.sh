#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# vmsplice() of a DAX mapping into a pipe takes FOLL_GET references that
# live until the pipe is read: the ledger shows them with the splicing
# process as owner, and they leave when the pipe is drained.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
f=$d/vmsplice.$$
pl_load
dd if=/dev/zero of=$f bs=4k count=8 status=none
ino=$(stat -c %i $f)
pin_start v vmsplice $f --pages 8
lines=$(pins_of $ino)
echo "$lines" | head -3
n=$(echo "$lines" | grep -c "gets=1 owners: \[tgid=$PIN_v comm=pinctl flags=GET " || true)
expect_eq "pages held by vmsplice" "$n" 8
pin_stop v
[ -z "$(pins_of $ino)" ] || fail "entries left after the pipe was drained"
rm -f $f
