// SPDX-License-Identifier: GPL-2.0
/* tc_ratelimit: a token bucket per IPv4 source at tc egress; packets beyond
 * the rate (after a burst) are dropped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <corpus/net.h>

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define NSEC_PER_SEC 1000000000ULL

struct source_bucket {
	__u64 tokens;
	__u64 refilled_ns;
};

struct limiter_stats {
	__u64 passed;
	__u64 dropped;
	__u64 new_sources;
};

const volatile __u64 packets_per_second = 1000;
const volatile __u64 burst = 10;
const volatile bool ipv4_only = true;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __be32);
	__type(value, struct source_bucket);
} buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct limiter_stats);
} limiter SEC(".maps");

static __always_inline bool take_token(struct source_bucket *b, __u64 now)
{
	__u64 elapsed = now - b->refilled_ns;
	__u64 refill = elapsed * packets_per_second / NSEC_PER_SEC;

	if (refill) {
		b->tokens = b->tokens + refill > burst ? burst : b->tokens + refill;
		b->refilled_ns = now;
	}
	if (!b->tokens)
		return false;
	b->tokens--;
	return true;
}

SEC("tc")
int limit_rate(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct corpus_flow flow = {};
	struct limiter_stats *stats;
	struct source_bucket *b;
	__u32 zero = 0;
	__u64 now;

	stats = bpf_map_lookup_elem(&limiter, &zero);
	if (!stats)
		return TC_ACT_OK;
	if (corpus_parse_flow(data, data_end, &flow) || flow.family != 4)
		return ipv4_only ? TC_ACT_OK : TC_ACT_SHOT;

	now = bpf_ktime_get_ns();
	b = bpf_map_lookup_elem(&buckets, &flow.saddr);
	if (!b) {
		struct source_bucket full = { .tokens = burst, .refilled_ns = now };

		bpf_map_update_elem(&buckets, &flow.saddr, &full, BPF_ANY);
		__sync_fetch_and_add(&stats->new_sources, 1);
		b = bpf_map_lookup_elem(&buckets, &flow.saddr);
		if (!b)
			return TC_ACT_OK;
	}
	if (take_token(b, now)) {
		__sync_fetch_and_add(&stats->passed, 1);
		return TC_ACT_OK;
	}
	__sync_fetch_and_add(&stats->dropped, 1);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
