// SPDX-License-Identifier: GPL-2.0
/* syscount: system calls counted per syscall (or per process), with their
 * total latency, optionally only the failed ones. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <corpus/maps.bpf.h>

struct syscall_stats {
	__u64 count;
	__u64 total_ns;
	__u64 max_ns;
	char comm[16];
};

const volatile bool count_by_process = false;
const volatile bool measure_latency = true;
const volatile bool failures_only = false;
const volatile int only_errno = 0;
const volatile pid_t only_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} entered_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct syscall_stats);
} stats SEC(".maps");

static const struct syscall_stats no_stats;

SEC("tracepoint/raw_syscalls/sys_enter")
int on_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 now;

	if (only_pid && (id >> 32) != only_pid)
		return 0;
	if (measure_latency) {
		now = bpf_ktime_get_ns();
		bpf_map_update_elem(&entered_at, &tid, &now, BPF_ANY);
	}
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int on_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, key;
	struct syscall_stats *s;
	__u64 *start, delta = 0;

	if (only_pid && (id >> 32) != only_pid)
		return 0;
	if (failures_only && ctx->ret >= 0)
		return 0;
	if (only_errno && ctx->ret != -only_errno)
		return 0;
	if (measure_latency) {
		start = bpf_map_lookup_elem(&entered_at, &tid);
		if (!start)
			return 0;
		delta = bpf_ktime_get_ns() - *start;
		bpf_map_delete_elem(&entered_at, &tid);
	}
	key = count_by_process ? (__u32)(id >> 32) : (__u32)ctx->id;
	s = corpus_lookup_or_init(&stats, &key, &no_stats);
	if (!s)
		return 0;
	if (count_by_process)
		bpf_get_current_comm(s->comm, sizeof(s->comm));
	__sync_fetch_and_add(&s->count, 1);
	if (measure_latency) {
		__sync_fetch_and_add(&s->total_ns, delta);
		if (delta > s->max_ns)
			s->max_ns = delta;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
