// SPDX-License-Identifier: GPL-2.0
/* tcpconnect: active TCP connections (connect()), reported as events or
 * counted per destination, for IPv4 and IPv6, via kprobes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "tcpconnect.h"

#define AF_INET 2
#define AF_INET6 10
#define MAX_PORTS 64

const volatile bool count_only = false;
const volatile pid_t only_pid = 0;
const volatile __u32 only_uid = (__u32)-1;
const volatile int port_filter_len = 0;
const volatile __u16 port_filter[MAX_PORTS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct sock *);
} connecting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow_count_key);
	__type(value, __u64);
} per_destination SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} connects SEC(".maps");

static __always_inline bool port_filtered_out(__u16 dport)
{
	int i;

	if (!port_filter_len)
		return false;
	for (i = 0; i < MAX_PORTS && i < port_filter_len; i++)
		if (port_filter[i] == dport)
			return false;
	return true;
}

static __always_inline int on_entry(struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	if (only_pid && (id >> 32) != only_pid)
		return 0;
	if (only_uid != (__u32)-1 && (__u32)bpf_get_current_uid_gid() != only_uid)
		return 0;
	bpf_map_update_elem(&connecting, &tid, &sk, BPF_ANY);
	return 0;
}

static __always_inline void count(struct sock *sk, __u16 family, __u16 dport)
{
	struct flow_count_key key = { .family = family, .dport = dport };
	static const __u64 one = 1;
	__u64 *n;

	if (family == AF_INET)
		BPF_CORE_READ_INTO(&key.daddr, sk, __sk_common.skc_daddr);
	else
		BPF_CORE_READ_INTO(&key.daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32);
	n = bpf_map_lookup_elem(&per_destination, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&per_destination, &key, &one, BPF_NOEXIST);
}

static __always_inline void report(void *ctx, struct sock *sk, __u16 family, __u16 dport)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct connect_event e = {};

	e.family = family;
	e.dport = dport;
	e.pid = id >> 32;
	e.uid = (__u32)bpf_get_current_uid_gid();
	e.ts_us = bpf_ktime_get_ns() / 1000;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	if (family == AF_INET) {
		BPF_CORE_READ_INTO(&e.saddr.v4, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&e.daddr.v4, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&e.saddr.v6, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
		BPF_CORE_READ_INTO(&e.daddr.v6, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32);
	}
	bpf_perf_event_output(ctx, &connects, BPF_F_CURRENT_CPU, &e, sizeof(e));
}

static __always_inline int on_return(void *ctx, int ret, __u16 family)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sock **skp = bpf_map_lookup_elem(&connecting, &tid);
	struct sock *sk;
	__u16 dport;

	if (!skp)
		return 0;
	sk = *skp;
	bpf_map_delete_elem(&connecting, &tid);
	if (ret)
		return 0; /* the connect failed before sending a SYN */
	dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	if (port_filtered_out(dport))
		return 0;
	if (count_only)
		count(sk, family, dport);
	else
		report(ctx, sk, family, dport);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect_entry, struct sock *sk)
{
	return on_entry(sk);
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_return, int ret)
{
	return on_return(ctx, ret, AF_INET);
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tcp_v6_connect_entry, struct sock *sk)
{
	return on_entry(sk);
}

SEC("kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(tcp_v6_connect_return, int ret)
{
	return on_return(ctx, ret, AF_INET6);
}

char LICENSE[] SEC("license") = "GPL";
