#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The short storm ("make stress" runs the long one): about a minute of
# concurrent pins by every real holder, layout changes, fills, page-cache
# pins, policy flips and 10 % ledger allocation failures, with the module
# reloaded twice underneath.  No pinned block may reach another file,
# every other file keeps its content, the ledger drains, free space comes
# back; run.sh fails the test on any kernel complaint in dmesg.
. "$(dirname "$0")/lib.sh"

"$PL_ROOT/tests/guest/storm.sh" "${PL_STORM_SECS:-60}" "${PL_STORM_RELOADS:-2}"
