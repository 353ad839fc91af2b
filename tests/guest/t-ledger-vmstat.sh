#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# FOLL_PIN totals in the ledger move exactly with the kernel's own
# nr_foll_pin_acquired / nr_foll_pin_released over a mix of real pins
# (holder fast/slow/remote/longterm on anon, DAX and page-cache memory,
# process_vm_writev, O_DIRECT).
. "$(dirname "$0")/lib.sh"

pl_holder_load
pl_load
dd if=/dev/zero of=/mnt/ext4dax/vm.$$ bs=4k count=16 status=none
dd if=/dev/zero of=/tmp/vm.$$ bs=4k count=16 status=none
pl_pin_totals; A0=$A R0=$R LA0=$LA LR0=$LR U0=$U M0=$M
for api in fast slow unlocked remote; do
	# 6.1 WARNs on FOLL_LONGTERM through *_unlocked and *_remote.
	lt=; [ $api = fast ] || [ $api = slow ] && lt=--longterm
	pin_start a hold anon --pages 16 --api $api --write $lt
	pin_start b hold /mnt/ext4dax/vm.$$ --pages 16 --api $api
	pin_start c hold /tmp/vm.$$ --pages 16 --api $api --write
	pin_start t hold /mnt/xfsdax/vm.$$ --create 65536 --pages 16 --api $api
	$PINCTL vmwrite --pid $PIN_t --addr $PINADDR_t --pages 16 >/dev/null
	pin_stop a; pin_stop b; pin_stop c; pin_stop t
done
pl_pin_totals
echo "vmstat:  acquired +$((A - A0)) released +$((R - R0))"
echo "ledger:  acquired +$((LA - LA0)) released +$((LR - LR0)) untracked +$((U - U0)) missed +$((M - M0))"
[ $((A - A0)) -ge 256 ] || fail "too few pins taken: $((A - A0))"
expect_eq "acquired pins (ledger vs vmstat)" $((LA - LA0)) $((A - A0))
expect_eq "released pins (ledger vs vmstat)" $((LR - LR0)) $((R - R0))
rm -f /mnt/ext4dax/vm.$$ /tmp/vm.$$ /mnt/xfsdax/vm.$$
