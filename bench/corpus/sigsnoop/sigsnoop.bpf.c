// SPDX-License-Identifier: GPL-2.0
/* sigsnoop: signals sent with kill/tkill/tgkill and the kernel's own,
 * with sender, target and result. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct signal_event {
	__u32 sender_pid;
	__u32 target_pid;
	int sig;
	int result;
	char comm[16];
};

const volatile pid_t only_sender = 0;
const volatile int only_signal = 0;
const volatile bool failed_only = false;
const volatile bool kernel_signals = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct signal_event);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} signals SEC(".maps");

static __always_inline int sent(pid_t target, int sig)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct signal_event e = {};
	__u32 tid = (__u32)id;

	if (only_signal && sig != only_signal)
		return 0;
	if (only_sender && (id >> 32) != only_sender)
		return 0;
	e.sender_pid = id >> 32;
	e.target_pid = target;
	e.sig = sig;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_map_update_elem(&pending, &tid, &e, BPF_ANY);
	return 0;
}

static __always_inline int returned(void *ctx, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct signal_event *e = bpf_map_lookup_elem(&pending, &tid);

	if (!e)
		return 0;
	if (!failed_only || ret < 0) {
		e->result = ret;
		bpf_perf_event_output(ctx, &signals, BPF_F_CURRENT_CPU, e, sizeof(*e));
	}
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_kill")
int kill_entry(struct trace_event_raw_sys_enter *ctx)
{
	return sent((pid_t)ctx->args[0], (int)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_kill")
int kill_exit(struct trace_event_raw_sys_exit *ctx)
{
	return returned(ctx, ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_tgkill")
int tgkill_entry(struct trace_event_raw_sys_enter *ctx)
{
	return sent((pid_t)ctx->args[1], (int)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_tgkill")
int tgkill_exit(struct trace_event_raw_sys_exit *ctx)
{
	return returned(ctx, ctx->ret);
}

SEC("tracepoint/signal/signal_generate")
int on_signal_generate(struct trace_event_raw_signal_generate *ctx)
{
	struct signal_event e = {};

	if (!kernel_signals)
		return 0;
	if (only_signal && ctx->sig != only_signal)
		return 0;
	if (failed_only && ctx->errno == 0)
		return 0;
	e.sender_pid = bpf_get_current_pid_tgid() >> 32;
	e.target_pid = ctx->pid;
	e.sig = ctx->sig;
	e.result = ctx->result;
	bpf_probe_read_kernel_str(e.comm, sizeof(e.comm), ctx->comm);
	bpf_perf_event_output(ctx, &signals, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
