// SPDX-License-Identifier: GPL-2.0
/*
 * pinledger.bpf.c - BPF side of "pinledger hist" and "pinledger top".
 *
 * Attached to the module's raw tracepoints (SEC("raw_tp/...")): the
 * arguments are the TP_PROTO arguments of include/pinledger_trace.h, each
 * widened to u64 in ctx->args[], so nothing here depends on BTF of the
 * module or of vmlinux (6.1 headers build the module without BTF).
 *
 *   pin_acquire (pfn, dev, ino, index, tgid, flags, callsite, cgroup)
 *   pin_release (pfn, dev, ino, index, tgid, flags, callsite,
 *		  lifetime_ns, reconciled, cgroup)
 *   layout_end  (id, dev, ino, waited_ns, outcome, ret)
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "pinledger_bpf.h"

const volatile __u32 by = PL_BY_NONE;
const volatile __u64 unit_ns = 1000;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PL_MAX_HISTS);
	__type(key, struct pl_hist_key);
	__type(value, struct pl_hist);
} hists SEC(".maps");

/* tgid -> comm, learnt when the pinning process itself takes a pin. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pl_comm);
} comms SEC(".maps");

/* tgid -> pins + gets acquired (top's rate column). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} acquired SEC(".maps");

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* A histogram's initial value: global, not 400 bytes of BPF stack. */
static const struct pl_hist zero_hist;

static __always_inline void hist_add(struct pl_hist_key *key, __u64 ns)
{
	struct pl_hist *h;
	__u64 v = ns / unit_ns;
	__u32 slot;

	h = bpf_map_lookup_elem(&hists, key);
	if (!h) {
		bpf_map_update_elem(&hists, key, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, key);
		if (!h)
			return;
	}
	slot = v ? log2_u64(v) + 1 : 0;
	if (slot >= PL_MAX_SLOTS)
		slot = PL_MAX_SLOTS - 1;
	/*
	 * The 6.1 verifier does not carry the check above over to the
	 * register clang indexes with; a mask clang cannot see through (the
	 * empty asm) bounds that register too.
	 */
	asm volatile("" : "+r"(slot));
	slot &= PL_MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, ns);
}

/* Fill @key's grouping for a pin of @tgid, @flags on device @dev. */
static __always_inline void group(struct pl_hist_key *key, __u32 tgid,
				  __u32 flags, __u32 dev)
{
	struct pl_comm *c;

	switch (by) {
	case PL_BY_COMM:
		c = bpf_map_lookup_elem(&comms, &tgid);
		if (c)
			__builtin_memcpy(key->comm, c->comm, sizeof(key->comm));
		else if (bpf_get_current_pid_tgid() >> 32 == tgid)
			bpf_get_current_comm(key->comm, sizeof(key->comm));
		else
			key->id = tgid;	/* comm from /proc, if still alive */
		break;
	case PL_BY_FLAGS:
		key->id = flags;
		break;
	case PL_BY_FS:
		key->id = dev;
		break;
	}
}

SEC("raw_tp/pin_acquire")
int pl_pin_acquire(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid = ctx->args[4];
	__u64 one = 1, *n;

	if (tgid && bpf_get_current_pid_tgid() >> 32 == tgid) {
		/* Zeroed: 6.1 leaves the bytes after the NUL as they were. */
		struct pl_comm c = { };

		bpf_get_current_comm(c.comm, sizeof(c.comm));
		bpf_map_update_elem(&comms, &tgid, &c, BPF_ANY);
	}
	n = bpf_map_lookup_elem(&acquired, &tgid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&acquired, &tgid, &one, BPF_NOEXIST);
	return 0;
}

SEC("raw_tp/pin_release")
int pl_pin_release(struct bpf_raw_tracepoint_args *ctx)
{
	struct pl_hist_key key = { .kind = PL_HIST_LIFETIME };

	group(&key, ctx->args[4], ctx->args[5], ctx->args[1]);
	hist_add(&key, ctx->args[7]);
	return 0;
}

SEC("raw_tp/layout_end")
int pl_layout_end(struct bpf_raw_tracepoint_args *ctx)
{
	struct pl_hist_key key = { .kind = PL_HIST_LAYOUT_WAIT };

	/* Grouped by the waiting process (comm) or filesystem. */
	if (by == PL_BY_COMM)
		bpf_get_current_comm(key.comm, sizeof(key.comm));
	else if (by == PL_BY_FS)
		key.id = ctx->args[1];
	hist_add(&key, ctx->args[3]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
