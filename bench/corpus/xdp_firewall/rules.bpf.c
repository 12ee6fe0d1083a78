// SPDX-License-Identifier: GPL-2.0
/* xdp_firewall, rules half: the deny lists and the decision over them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "firewall.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct v4_prefix);
	__type(value, __u32);
} deny_sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16);
	__type(value, __u8);
} deny_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_stats);
} fw_counters SEC(".maps");

const volatile bool log_drops = false;

__hidden __noinline int fw_verdict(__u32 saddr, __u16 dport, __u8 proto)
{
	struct v4_prefix key = { .prefixlen = 32 };
	struct fw_stats *stats;
	__u32 zero = 0;
	__u16 port = bpf_ntohs(dport);
	__u32 *rule;

	stats = bpf_map_lookup_elem(&fw_counters, &zero);
	if (!stats)
		return 0;
	__builtin_memcpy(key.addr, &saddr, sizeof(key.addr));
	rule = bpf_map_lookup_elem(&deny_sources, &key);
	if (rule) {
		__sync_fetch_and_add(&stats->dropped_by_prefix, 1);
		__sync_fetch_and_add(rule, 1); /* hits of the matching rule */
		if (log_drops)
			bpf_printk("xdp_firewall: drop from %pI4", &saddr);
		return 1;
	}
	if ((proto == 6 || proto == 17) && bpf_map_lookup_elem(&deny_ports, &port)) {
		__sync_fetch_and_add(&stats->dropped_by_port, 1);
		return 1;
	}
	__sync_fetch_and_add(&stats->passed, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
