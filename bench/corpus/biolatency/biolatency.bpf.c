// SPDX-License-Identifier: GPL-2.0
/* biolatency, tracing half: time each block request from insert (or issue)
 * to completion. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "biolatency.h"

const volatile bool from_insert = false;
const volatile __u32 only_dev = 0;

struct request_id {
	dev_t dev;
	__u32 pad; /* named, so initialisers zero it: keys are compared bytewise */
	sector_t sector;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct request_id);
	__type(value, __u64);
} started SEC(".maps");

/* rwbs ("R", "WS", "FWS"...) may start with F (flush) before the operation
 * letter. Both letters are read up front: the context may only be read at
 * constant offsets. */
static __always_inline __u8 op_of(char first, char second)
{
	if (first == 'F')
		first = second;
	return first == 'R' ? 0 : first == 'W' ? 1 : 2;
}

static __always_inline int start(struct trace_event_raw_block_rq *ctx)
{
	struct request_id id = { .dev = ctx->dev, .sector = ctx->sector };
	__u64 now = bpf_ktime_get_ns();

	if (only_dev && ctx->dev != only_dev)
		return 0;
	bpf_map_update_elem(&started, &id, &now, BPF_ANY);
	return 0;
}

SEC("tp/block/block_rq_insert")
int on_insert(struct trace_event_raw_block_rq *ctx)
{
	return from_insert ? start(ctx) : 0;
}

SEC("tp/block/block_rq_issue")
int on_issue(struct trace_event_raw_block_rq *ctx)
{
	return from_insert ? 0 : start(ctx);
}

SEC("tp/block/block_rq_complete")
int on_complete(struct trace_event_raw_block_rq_completion *ctx)
{
	struct request_id id = { .dev = ctx->dev, .sector = ctx->sector };
	char first = ctx->rwbs[0], second = ctx->rwbs[1];
	__u64 *ts = bpf_map_lookup_elem(&started, &id);
	__s64 delta;

	if (!ts)
		return 0;
	delta = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&started, &id);
	if (delta < 0)
		return 0;
	return record_latency(ctx->dev, op_of(first, second), delta);
}
