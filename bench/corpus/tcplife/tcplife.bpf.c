// SPDX-License-Identifier: GPL-2.0
/* tcplife: TCP sessions from their first state change to close, with their
 * duration, the bytes they moved and the process that owned them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tcplife.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

const volatile bool only_ipv4 = false;
const volatile bool only_ipv6 = false;
const volatile __u16 only_sport = 0;
const volatile __u16 only_dport = 0;

struct owner {
	__u64 born_ns;
	__u32 pid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, const void *);
	__type(value, struct owner);
} sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} closed SEC(".maps");

static __always_inline bool wanted(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return false;
	if ((only_ipv4 && ctx->family != AF_INET) || (only_ipv6 && ctx->family != AF_INET6))
		return false;
	if (only_sport && ctx->sport != only_sport)
		return false;
	if (only_dport && ctx->dport != only_dport)
		return false;
	return true;
}

SEC("tracepoint/sock/inet_sock_set_state")
int on_state_change(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const void *sk = ctx->skaddr;
	struct tcp_sock *tp = (struct tcp_sock *)ctx->skaddr;
	struct tcp_session *s;
	struct owner *o;
	__u64 now;

	if (!wanted(ctx))
		return 0;

	if (ctx->newstate < TCP_FIN_WAIT1) {
		/* Opening: the first sight of the socket is its birth. */
		struct owner fresh = { .born_ns = bpf_ktime_get_ns() };

		fresh.pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		bpf_map_update_elem(&sessions, &sk, &fresh, BPF_NOEXIST);
		return 0;
	}
	if (ctx->newstate != TCP_CLOSE)
		return 0;

	o = bpf_map_lookup_elem(&sessions, &sk);
	if (!o)
		return 0;
	now = bpf_ktime_get_ns();
	s = bpf_ringbuf_reserve(&closed, sizeof(*s), 0);
	if (s) {
		s->lifetime_us = (now - o->born_ns) / 1000;
		s->rx_bytes = BPF_CORE_READ(tp, bytes_received);
		s->tx_bytes = BPF_CORE_READ(tp, bytes_acked);
		s->pid = o->pid;
		__builtin_memcpy(s->comm, o->comm, sizeof(s->comm));
		s->sport = ctx->sport;
		s->dport = ctx->dport;
		s->family = ctx->family;
		/* The context may only be read at constant offsets: copy the
		 * address arrays with a helper. */
		if (ctx->family == AF_INET) {
			bpf_probe_read_kernel(s->saddr, 4, ctx->saddr);
			bpf_probe_read_kernel(s->daddr, 4, ctx->daddr);
		} else {
			bpf_probe_read_kernel(s->saddr, 16, ctx->saddr_v6);
			bpf_probe_read_kernel(s->daddr, 16, ctx->daddr_v6);
		}
		bpf_ringbuf_submit(s, 0);
	}
	bpf_map_delete_elem(&sessions, &sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
