// SPDX-License-Identifier: GPL-2.0
/* sockfilter: a socket filter that counts IPv4 packets per protocol and
 * keeps only the ones for a chosen UDP port (DNS by default). Offsets are
 * relative to the network header, so the filter works on packet sockets
 * (which see the Ethernet header) and on IP sockets alike. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u16 kept_port = 53;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} per_protocol SEC(".maps");

__u64 kept = 0;

static __always_inline long load_net(struct __sk_buff *skb, __u32 offset, void *to, __u32 len)
{
	return bpf_skb_load_bytes_relative(skb, offset, to, len, BPF_HDR_START_NET);
}

SEC("socket")
int keep_port(struct __sk_buff *skb)
{
	__u8 version_ihl, proto;
	__u16 dport, frag;
	__u32 key, ihl;
	__u64 *count;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (load_net(skb, 0, &version_ihl, 1) ||
	    load_net(skb, __builtin_offsetof(struct iphdr, protocol), &proto, 1) ||
	    load_net(skb, __builtin_offsetof(struct iphdr, frag_off), &frag, 2))
		return 0;
	key = proto;
	count = bpf_map_lookup_elem(&per_protocol, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	if (proto != IPPROTO_UDP || (frag & bpf_htons(0x1FFF)))
		return 0;
	ihl = (version_ihl & 0x0F) * 4;
	if (load_net(skb, ihl + __builtin_offsetof(struct udphdr, dest), &dport, 2))
		return 0;
	if (dport != bpf_htons(kept_port))
		return 0;
	__sync_fetch_and_add(&kept, 1);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
