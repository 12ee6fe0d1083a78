/* Events and counters of tcpconnect, shared with user space. */
#ifndef TCPCONNECT_H
#define TCPCONNECT_H

struct connect_event {
	union {
		__u32 v4;
		__u8 v6[16];
	} saddr, daddr;
	__u64 ts_us;
	__u32 pid;
	__u32 uid;
	__u16 dport;
	__u16 family;
	char comm[16];
};

struct flow_count_key {
	__u32 family;
	__u8 daddr[16];
	__u16 dport;
};

#endif
