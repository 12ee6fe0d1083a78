// SPDX-License-Identifier: GPL-2.0
/* The smallest useful tracer: say hello when one process writes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile int target_pid = 0;
__u64 writes = 0;

SEC("tp/syscalls/sys_enter_write")
int handle_write(struct trace_event_raw_sys_enter *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;

	if (target_pid && pid != target_pid)
		return 0;
	__sync_fetch_and_add(&writes, 1);
	bpf_printk("write(fd=%ld, count=%lu) from %d", ctx->args[0], ctx->args[2], pid);
	return 0;
}
