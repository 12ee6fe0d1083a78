// SPDX-License-Identifier: GPL-2.0
/* xdp_lb: a stateless layer-4 load balancer. UDP and TCP frames to the
 * virtual address are rewritten to a backend chosen by a hash of the
 * source, and sent back out (XDP_TX). Written against the UAPI headers, as
 * networking programs often are, not vmlinux.h. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_BACKENDS 64

struct backend {
	__u32 addr; /* network order */
	unsigned char mac[ETH_ALEN];
	__u16 weight;
};

struct lb_stats {
	__u64 balanced;
	__u64 not_for_us;
	__u64 no_backend;
};

const volatile __u32 virtual_addr = 0; /* network order; 0: any */
const volatile __u32 backend_count = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_stats);
} lb_counters SEC(".maps");

static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* RFC 1624: the checksum after one 32-bit word changed from old to new. */
static __always_inline __u16 csum_replace4(__u16 check, __u32 old, __u32 new)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~old + (__u16)~(old >> 16);
	sum += (__u16)new + (__u16)(new >> 16);
	return fold(sum);
}

static __always_inline __u32 flow_hash(__u32 saddr, __u16 sport)
{
	__u32 h = saddr ^ ((__u32)sport << 16 | sport);

	h ^= h >> 16;
	h *= 0x45d9f3b;
	h ^= h >> 16;
	return h;
}

SEC("xdp")
int balance(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct lb_stats *stats;
	struct backend *be;
	struct iphdr *ip;
	__u16 sport = 0;
	__u32 zero = 0, index;

	stats = bpf_map_lookup_elem(&lb_counters, &zero);
	if (!stats)
		return XDP_PASS;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto not_for_us;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		goto not_for_us;
	if (virtual_addr && ip->daddr != virtual_addr)
		goto not_for_us;
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > data_end)
			goto not_for_us;
		sport = udp->source;
		udp->check = 0; /* optional for IPv4: cheaper than fixing it */
	} else if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			goto not_for_us;
		sport = tcp->source;
		tcp->check = csum_replace4(tcp->check, ip->daddr, 0);
	} else {
		goto not_for_us;
	}
	if (!backend_count) {
		__sync_fetch_and_add(&stats->no_backend, 1);
		return XDP_PASS;
	}
	index = flow_hash(ip->saddr, sport) % backend_count;
	be = bpf_map_lookup_elem(&backends, &index);
	if (!be || !be->addr) {
		__sync_fetch_and_add(&stats->no_backend, 1);
		return XDP_PASS;
	}
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			return XDP_ABORTED;
		tcp->check = csum_replace4(tcp->check, 0, be->addr);
	}
	ip->check = csum_replace4(ip->check, ip->daddr, be->addr);
	ip->daddr = be->addr;
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	__sync_fetch_and_add(&stats->balanced, 1);
	return XDP_TX;

not_for_us:
	__sync_fetch_and_add(&stats->not_for_us, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
