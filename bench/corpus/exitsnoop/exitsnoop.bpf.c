// SPDX-License-Identifier: GPL-2.0
/* exitsnoop: process (or thread) exits with their age, exit code and the
 * signal that ended them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "exitsnoop.h"

const volatile bool trace_threads = false;
const volatile bool trace_failed_only = false;
const volatile pid_t only_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exits SEC(".maps");

/* start_time moved from nanoseconds since boot to a u64 field of another
 * name on older kernels; both are read through CO-RE. */
struct task_struct___old {
	u64 real_start_time;
} __attribute__((preserve_access_index));

static __always_inline __u64 task_start_ns(struct task_struct *task)
{
	if (bpf_core_field_exists(task->start_time))
		return BPF_CORE_READ(task, start_time);
	return BPF_CORE_READ((struct task_struct___old *)task, real_start_time);
}

SEC("tracepoint/sched/sched_process_exit")
int on_exit(struct trace_event_raw_sched_process_template *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32, tid = (__u32)id;
	struct exit_event *e;
	int code;

	if (only_pid && pid != only_pid)
		return 0;
	if (!trace_threads && pid != tid)
		return 0;
	code = BPF_CORE_READ(task, exit_code);
	if (trace_failed_only && code == 0)
		return 0;

	e = bpf_ringbuf_reserve(&exits, sizeof(*e), 0);
	if (!e)
		return 0;
	e->start_time_ns = task_start_ns(task);
	e->exit_time_ns = bpf_ktime_get_ns();
	e->pid = pid;
	e->tid = tid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->sig = code & 0xff;
	e->exit_code = code >> 8;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
