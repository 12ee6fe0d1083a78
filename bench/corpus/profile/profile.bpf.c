// SPDX-License-Identifier: GPL-2.0
/* profile: sampled stacks (user and kernel) counted per process, from a
 * perf event firing on every CPU. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_STACK_DEPTH 127

struct stack_key {
	__u32 pid;
	int user_stack_id;
	int kernel_stack_id;
	char comm[16];
};

const volatile bool kernel_only = false;
const volatile bool user_only = false;
const volatile bool include_idle = false;
const volatile pid_t only_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
	__uint(max_entries, 16384);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct stack_key);
	__type(value, __u64);
} samples SEC(".maps");

__u64 lost_samples = 0;

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct stack_key key = {};
	static const __u64 one = 1;
	__u64 *count;

	if (!include_idle && (__u32)id == 0)
		return 0;
	if (only_tgid && (id >> 32) != only_tgid)
		return 0;

	key.pid = id >> 32;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	key.user_stack_id = kernel_only ? -1 : bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	key.kernel_stack_id = user_only ? -1 : bpf_get_stackid(ctx, &stacks, 0);

	count = bpf_map_lookup_elem(&samples, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else if (bpf_map_update_elem(&samples, &key, &one, BPF_NOEXIST)) {
		__sync_fetch_and_add(&lost_samples, 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
