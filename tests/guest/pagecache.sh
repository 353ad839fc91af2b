# SPDX-License-Identifier: GPL-2.0
# pagecache.sh - helpers for the page-cache pin tests (t-pagecache-*.sh);
# sourced after lib.sh.
#
# These tests need an ordinary (non-DAX) page-cache filesystem: PL_FS
# (ext4 or xfs, from "# fs: each") is made on a RAM disk (brd; xfs wants
# 300 MiB at least, which brd only allocates as it is written) and
# mounted without dax at /mnt/pc.

PCPIN=$PL_TOOLS/pcpin
PC_MNT=/mnt/pc
PC_DEV=/dev/ram0

# pc_mount: fresh PL_FS at PC_MNT; undone at exit.
pc_mount() {
	[ -x "$PCPIN" ] || fail "$PCPIN missing (make tools)"
	[ -b $PC_DEV ] || modprobe brd rd_nr=1 rd_size=$((320 * 1024)) ||
		skip "brd (RAM disk) not available"
	case $PL_FS in
	ext4) mkfs.ext4 -q -F $PC_DEV ;;
	xfs) mkfs.xfs -q -f $PC_DEV >/dev/null ;;
	*) fail "PL_FS=$PL_FS" ;;
	esac
	mkdir -p $PC_MNT
	mount -t "$PL_FS" $PC_DEV $PC_MNT
	trap pc_cleanup EXIT
}

pc_cleanup() {
	echo 0 > "$PL_TRACEFS/events/pinledger/enable" 2>/dev/null || true
	umount $PC_MNT 2>/dev/null || true
	rmmod brd 2>/dev/null || true
}

# pc_file NAME PAGES: a file of PAGES order-0 page-cache pages of "AAAA"
# (4 KiB writes: no large folios on xfs), synced; prints its path.
pc_file() {
	{ yes AAAA || true; } | dd of="$PC_MNT/$1" bs=4096 count="$2" \
		iflag=fullblock status=none
	sync
	echo "$PC_MNT/$1"
}

# pc_trace EVENT...: trace only these pinledger events, from an empty buffer.
pc_trace() {
	local e
	echo 0 > "$PL_TRACEFS/events/pinledger/enable"
	for e in "$@"; do
		echo 1 > "$PL_TRACEFS/events/pinledger/$e/enable"
	done
	echo > "$PL_TRACEFS/trace"
}

# pc_events EVENT INO: trace lines of EVENT for the file INO.
pc_events() {
	grep -E " $1: .* ino=$2 " "$PL_TRACEFS/trace" || true
}

# pc_drop_read FILE: first 4 bytes (hex) of FILE as read from storage.
pc_drop_read() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	od -An -tx1 -N4 "$1" | tr -d ' \n'
}

# pc_counter NAME: a sysfs counter.
pc_counter() { cat "$PL_SYSFS/counters/$1"; }
