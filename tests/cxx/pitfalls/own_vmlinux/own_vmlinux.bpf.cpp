// A C++ source beside the project's own (C) vmlinux.h: clang finds it first,
// as it would in C, and C++ ignores its CO-RE pragma (the error is marked
// in vmlinux.h).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev) { return prev->pid; }
