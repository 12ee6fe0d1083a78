/* Events of tcplife, shared with user space. */
#ifndef TCPLIFE_H
#define TCPLIFE_H

struct tcp_session {
	__u8 saddr[16];
	__u8 daddr[16];
	__u64 lifetime_us;
	__u64 rx_bytes;
	__u64 tx_bytes;
	__u32 pid;
	__u16 sport;
	__u16 dport;
	__u16 family;
	char comm[16];
};

#endif
