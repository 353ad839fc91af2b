# SPDX-License-Identifier: GPL-2.0
# side-by-side.sh - sourced by check.sh and stress.sh.
#
# side_by_side SERIAL FUNC KVER...: run "FUNC KVER" for each kernel and
# return when all are done.  Each guest is one TCG thread, so the kernels
# run side by side, one per core, unless SERIAL is non-empty (then one
# after the other).  FUNC keeps its own results (files); its exit status
# is ignored.
side_by_side() {
	local serial=$1 fn=$2 k p pids=()

	shift 2
	for k in "$@"; do
		if [ -n "$serial" ]; then
			"$fn" "$k"
		else
			"$fn" "$k" &
			pids+=($!)
		fi
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
}
