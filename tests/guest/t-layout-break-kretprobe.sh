#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: each
# The hook on dax_layout_busy_page_range() (a return probe until the
# guard's decision moved to task context; the test keeps its name) sees
# each layout break that ext4/xfs make for a truncate and a hole punch on
# a DAX file.
. "$(dirname "$0")/lib.sh"

d=$(pl_dir)
pl_load
f=$d/break.$$
dd if=/dev/zero of=$f bs=4k count=16 status=none
before=$(pl_counter layout_breaks)
truncate -s 16k $f
fallocate --punch-hole --offset 4096 --length 4096 $f
after=$(pl_counter layout_breaks)
echo "layout_breaks: $before -> $after"
[ $((after - before)) -ge 2 ] || fail "counter moved by $((after - before)), want >= 2"
rm -f $f
