// SPDX-License-Identifier: GPL-2.0
/* runqlat: how long runnable tasks wait for a CPU, as log2 histograms,
 * overall, per thread or per PID namespace. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <corpus/bits.bpf.h>
#include <corpus/hist.h>
#include <corpus/maps.bpf.h>

#define TASK_RUNNING 0

const volatile bool per_thread = false;
const volatile bool per_pidns = false;
const volatile bool in_microseconds = true;
const volatile pid_t only_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, u64);
} enqueued_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct hist);
} hists SEC(".maps");

static struct hist zero_hist;

static __always_inline int remember_enqueue(u32 tgid, u32 pid)
{
	u64 ts;

	if (!pid || (only_tgid && tgid != only_tgid))
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&enqueued_at, &pid, &ts, BPF_ANY);
	return 0;
}

static __always_inline u32 pidns_of(struct task_struct *task)
{
	return BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
}

SEC("tp/sched/sched_wakeup")
int on_wakeup(struct trace_event_raw_sched_wakeup_template *ctx)
{
	return remember_enqueue(0, ctx->pid);
}

SEC("tp/sched/sched_wakeup_new")
int on_wakeup_new(struct trace_event_raw_sched_wakeup_template *ctx)
{
	return remember_enqueue(0, ctx->pid);
}

SEC("tp/sched/sched_switch")
int on_switch(struct trace_event_raw_sched_switch *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	u32 prev = ctx->prev_pid, next = ctx->next_pid, key = 0;
	u64 *tsp, delta;
	struct hist *h;

	/* A task preempted while runnable is queued again right away. */
	if (ctx->prev_state == TASK_RUNNING)
		remember_enqueue(0, prev);

	tsp = bpf_map_lookup_elem(&enqueued_at, &next);
	if (!tsp)
		return 0;
	delta = bpf_ktime_get_ns() - *tsp;
	bpf_map_delete_elem(&enqueued_at, &next);
	if ((s64)delta < 0)
		return 0;

	if (per_thread)
		key = next;
	else if (per_pidns)
		key = pidns_of(task);
	h = corpus_lookup_or_init(&hists, &key, &zero_hist);
	if (!h)
		return 0;
	if (per_thread)
		bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), ctx->next_comm);
	if (in_microseconds)
		delta /= 1000;
	__sync_fetch_and_add(&h->slots[corpus_slot(delta)], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
