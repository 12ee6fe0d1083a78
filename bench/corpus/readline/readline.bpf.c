// SPDX-License-Identifier: GPL-2.0
/* readline: command lines typed into bash, from a uretprobe on readline(). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define LINE_LEN 80

struct typed_line {
	__u32 pid;
	char comm[16];
	char line[LINE_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} lines SEC(".maps");

SEC("uretprobe//bin/bash:readline")
int BPF_KRETPROBE(on_readline_return, const void *ret)
{
	struct typed_line l = {};
	char comm[16];

	if (!ret)
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	if (comm[0] != 'b' || comm[1] != 'a' || comm[2] != 's' || comm[3] != 'h' || comm[4])
		return 0;
	l.pid = bpf_get_current_pid_tgid() >> 32;
	__builtin_memcpy(l.comm, comm, sizeof(comm));
	bpf_probe_read_user_str(l.line, sizeof(l.line), ret);
	bpf_perf_event_output(ctx, &lines, BPF_F_CURRENT_CPU, &l, sizeof(l));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
