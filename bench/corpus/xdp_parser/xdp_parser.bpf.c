// SPDX-License-Identifier: GPL-2.0
/* xdp_parser: classifies every frame (VLAN, IPv4, IPv6, TCP, UDP, ICMP) and
 * counts frames and bytes per class; optionally drops truncated frames. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <corpus/net.h>

enum frame_class {
	CLASS_OTHER_L3,
	CLASS_IPV4,
	CLASS_IPV6,
	CLASS_TCP,
	CLASS_UDP,
	CLASS_ICMP,
	CLASS_OTHER_L4,
	CLASS_TRUNCATED,
	CLASS_MAX,
};

struct class_stats {
	__u64 frames;
	__u64 bytes;
};

const volatile bool drop_truncated = false;
const volatile __u16 watched_port = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CLASS_MAX);
	__type(key, __u32);
	__type(value, struct class_stats);
} class_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} watched_hits SEC(".maps");

static __always_inline void count(__u32 class, __u64 bytes)
{
	struct class_stats *s = bpf_map_lookup_elem(&class_counts, &class);

	if (s) {
		__sync_fetch_and_add(&s->frames, 1);
		__sync_fetch_and_add(&s->bytes, bytes);
	}
}

SEC("xdp")
int classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct corpus_flow flow = {};
	__u64 bytes = data_end - data;
	__u32 zero = 0;
	__u64 *hits;

	if (corpus_parse_flow(data, data_end, &flow)) {
		count(CLASS_TRUNCATED, bytes);
		return drop_truncated ? XDP_DROP : XDP_PASS;
	}
	if (flow.family == 0) {
		count(CLASS_OTHER_L3, bytes);
		return XDP_PASS;
	}
	count(flow.family == 4 ? CLASS_IPV4 : CLASS_IPV6, bytes);
	switch (flow.proto) {
	case CORPUS_IPPROTO_TCP:
		count(CLASS_TCP, bytes);
		break;
	case CORPUS_IPPROTO_UDP:
		count(CLASS_UDP, bytes);
		break;
	case CORPUS_IPPROTO_ICMP:
	case CORPUS_IPPROTO_ICMPV6:
		count(CLASS_ICMP, bytes);
		break;
	default:
		count(CLASS_OTHER_L4, bytes);
	}
	if (watched_port && (flow.sport == bpf_htons(watched_port) ||
			     flow.dport == bpf_htons(watched_port))) {
		hits = bpf_map_lookup_elem(&watched_hits, &zero);
		if (hits)
			*hits += 1;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
