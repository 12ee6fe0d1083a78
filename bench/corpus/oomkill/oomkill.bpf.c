// SPDX-License-Identifier: GPL-2.0
/* oomkill: who the OOM killer chose, who triggered it, and the memory
 * picture at that moment, via a kprobe on oom_kill_process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct oom_event {
	__u32 trigger_pid;
	__u32 victim_pid;
	__u64 total_pages;
	__u64 victim_rss_pages;
	long points;
	char trigger_comm[16];
	char victim_comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} ooms SEC(".maps");

__u64 kills = 0;

/* mm->rss_stat became an array of percpu counters in 6.2; read whichever
 * this kernel has. */
struct mm_struct___pre62 {
	struct {
		atomic_long_t count[4];
	} rss_stat;
} __attribute__((preserve_access_index));

static __always_inline __u64 rss_pages(struct mm_struct *mm)
{
	struct mm_struct___pre62 *old = (void *)mm;
	__u64 anon, file;

	if (bpf_core_field_exists(old->rss_stat.count)) {
		file = BPF_CORE_READ(old, rss_stat.count[0].counter);
		anon = BPF_CORE_READ(old, rss_stat.count[1].counter);
		return file + anon;
	}
	file = BPF_CORE_READ(mm, rss_stat[0].count);
	anon = BPF_CORE_READ(mm, rss_stat[1].count);
	return file + anon;
}

SEC("kprobe/oom_kill_process")
int BPF_KPROBE(on_oom_kill, struct oom_control *oc, const char *message)
{
	struct task_struct *victim = BPF_CORE_READ(oc, chosen);
	struct oom_event *e;

	__sync_fetch_and_add(&kills, 1);
	e = bpf_ringbuf_reserve(&ooms, sizeof(*e), 0);
	if (!e)
		return 0;
	e->trigger_pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->trigger_comm, sizeof(e->trigger_comm));
	e->victim_pid = BPF_CORE_READ(victim, tgid);
	BPF_CORE_READ_STR_INTO(&e->victim_comm, victim, comm);
	e->total_pages = BPF_CORE_READ(oc, totalpages);
	e->points = BPF_CORE_READ(oc, chosen_points);
	e->victim_rss_pages = rss_pages(BPF_CORE_READ(victim, mm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
