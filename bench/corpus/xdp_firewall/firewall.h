/* xdp_firewall's shared declarations: the rule maps (defined in rules.bpf.c)
 * and the verdict function the XDP program calls. */
#ifndef XDP_FIREWALL_H
#define XDP_FIREWALL_H

struct v4_prefix {
	__u32 prefixlen;
	__u8 addr[4];
};

struct fw_stats {
	__u64 passed;
	__u64 dropped_by_prefix;
	__u64 dropped_by_port;
};

/* 1 to drop, 0 to pass; addresses and port in network order. */
int fw_verdict(__u32 saddr, __u16 dport, __u8 proto);

#endif
