/* Packet parsing shared by the corpus's XDP and tc programs (bounds checks
 * the verifier accepts: every header is checked against data_end before it
 * is read). Include vmlinux.h and bpf_endian.h first. */
#ifndef CORPUS_NET_H
#define CORPUS_NET_H

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define CORPUS_IPPROTO_ICMP 1
#define CORPUS_IPPROTO_TCP 6
#define CORPUS_IPPROTO_UDP 17
#define CORPUS_IPPROTO_ICMPV6 58

struct corpus_cursor {
	void *pos;
	void *end;
};

struct corpus_flow {
	__u8 family; /* 4 or 6; 0 when the frame is neither */
	__u8 proto;
	__u16 l3_off;
	__be16 sport;
	__be16 dport;
	__be32 saddr;
	__be32 daddr;
};

static __always_inline int corpus_parse_eth(struct corpus_cursor *c, __be16 *proto)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr *vlan;
	int depth;

	if ((void *)(eth + 1) > c->end)
		return -1;
	c->pos = eth + 1;
	*proto = eth->h_proto;
#pragma unroll
	for (depth = 0; depth < 2; depth++) {
		if (*proto != bpf_htons(ETH_P_8021Q) && *proto != bpf_htons(ETH_P_8021AD))
			break;
		vlan = c->pos;
		if ((void *)(vlan + 1) > c->end)
			return -1;
		*proto = vlan->h_vlan_encapsulated_proto;
		c->pos = vlan + 1;
	}
	return 0;
}

static __always_inline int corpus_parse_l4(struct corpus_cursor *c, struct corpus_flow *flow)
{
	if (flow->proto == CORPUS_IPPROTO_TCP) {
		struct tcphdr *tcp = c->pos;

		if ((void *)(tcp + 1) > c->end)
			return -1;
		flow->sport = tcp->source;
		flow->dport = tcp->dest;
	} else if (flow->proto == CORPUS_IPPROTO_UDP) {
		struct udphdr *udp = c->pos;

		if ((void *)(udp + 1) > c->end)
			return -1;
		flow->sport = udp->source;
		flow->dport = udp->dest;
	}
	return 0;
}

/* Fills `flow` from an Ethernet frame; returns -1 on a truncated header. */
static __always_inline int corpus_parse_flow(void *data, void *data_end, struct corpus_flow *flow)
{
	struct corpus_cursor c = { .pos = data, .end = data_end };
	__be16 proto;

	if (corpus_parse_eth(&c, &proto))
		return -1;
	flow->l3_off = c.pos - data;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = c.pos;

		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return -1;
		flow->family = 4;
		flow->proto = ip->protocol;
		flow->saddr = ip->saddr;
		flow->daddr = ip->daddr;
		c.pos = (void *)ip + ip->ihl * 4;
		if (ip->frag_off & bpf_htons(0x1FFF))
			return 0; /* a later fragment has no L4 header */
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = c.pos;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		flow->family = 6;
		flow->proto = ip6->nexthdr;
		/* Fold the addresses: enough to tell flows apart in a counter. */
		flow->saddr = ip6->saddr.in6_u.u6_addr32[3];
		flow->daddr = ip6->daddr.in6_u.u6_addr32[3];
		c.pos = ip6 + 1;
	} else {
		flow->family = 0;
		return 0;
	}
	return corpus_parse_l4(&c, flow);
}

#endif
