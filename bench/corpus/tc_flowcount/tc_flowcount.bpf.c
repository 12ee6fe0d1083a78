// SPDX-License-Identifier: GPL-2.0
/* tc_flowcount: packets and bytes per IPv4/IPv6 5-tuple at tc ingress, with
 * a cap on the number of flows tracked. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <corpus/net.h>

#define TC_ACT_OK 0

struct flow_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct flow_counters {
	__u64 packets;
	__u64 bytes;
	__u64 first_seen_ns;
	__u64 last_seen_ns;
};

const volatile __u32 max_flows = 4096;
__u32 tracked_flows = 0;
__u64 untracked_packets = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct flow_counters);
} flows SEC(".maps");

SEC("tc")
int count_flows(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct corpus_flow flow = {};
	struct flow_key key = {};
	struct flow_counters *stats;
	__u64 now = bpf_ktime_get_ns();

	if (corpus_parse_flow(data, data_end, &flow) || !flow.family)
		return TC_ACT_OK;
	key.saddr = flow.saddr;
	key.daddr = flow.daddr;
	key.sport = flow.sport;
	key.dport = flow.dport;
	key.proto = flow.proto;
	key.family = flow.family;

	stats = bpf_map_lookup_elem(&flows, &key);
	if (!stats) {
		struct flow_counters fresh = { .first_seen_ns = now };

		if (tracked_flows >= max_flows) {
			__sync_fetch_and_add(&untracked_packets, 1);
			return TC_ACT_OK;
		}
		if (bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&tracked_flows, 1);
		stats = bpf_map_lookup_elem(&flows, &key);
		if (!stats)
			return TC_ACT_OK;
	}
	__sync_fetch_and_add(&stats->packets, 1);
	__sync_fetch_and_add(&stats->bytes, skb->len);
	stats->last_seen_ns = now;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
