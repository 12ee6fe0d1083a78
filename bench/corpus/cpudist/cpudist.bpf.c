// SPDX-License-Identifier: GPL-2.0
/* cpudist: how long tasks stay on a CPU (or off it) before switching, as
 * log2 histograms, overall or per process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <corpus/bits.bpf.h>
#include <corpus/hist.h>
#include <corpus/maps.bpf.h>

const volatile bool off_cpu = false;
const volatile bool per_process = false;
const volatile pid_t only_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} since SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct hist);
} cpu_hists SEC(".maps");

static struct hist no_samples;

static __always_inline void mark(__u32 pid, __u64 now)
{
	bpf_map_update_elem(&since, &pid, &now, BPF_ANY);
}

static __always_inline void account(__u32 pid, __u32 tgid, const char *comm, __u64 now)
{
	__u64 *start = bpf_map_lookup_elem(&since, &pid);
	__u32 key = per_process ? tgid : 0;
	struct hist *h;
	__s64 delta;

	if (!start)
		return;
	delta = now - *start;
	if (delta < 0)
		return;
	h = corpus_lookup_or_init(&cpu_hists, &key, &no_samples);
	if (!h)
		return;
	if (per_process)
		bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), comm);
	__sync_fetch_and_add(&h->slots[corpus_slot(delta / 1000)], 1);
}

SEC("tp/sched/sched_switch")
int on_switch(struct trace_event_raw_sched_switch *ctx)
{
	struct task_struct *prev = (struct task_struct *)bpf_get_current_task();
	__u32 prev_tgid = BPF_CORE_READ(prev, tgid);
	__u64 now = bpf_ktime_get_ns();

	if (only_tgid && prev_tgid != only_tgid)
		return 0;
	if (off_cpu) {
		/* prev leaves the CPU now; next's time away ends now. */
		mark(ctx->prev_pid, now);
		account(ctx->next_pid, ctx->next_pid, ctx->next_comm, now);
	} else {
		account(ctx->prev_pid, prev_tgid, ctx->prev_comm, now);
		mark(ctx->next_pid, now);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
