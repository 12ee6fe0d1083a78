// Compiles against a generated vmlinux.h: kernel structs with CO-RE reads.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __s32);
} LAST_PARENT_PID SEC(".maps");

SEC("tp/sched/sched_process_exec")
int record_parent(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  __u32 key = 0;
  __s32 ppid = BPF_CORE_READ(task, real_parent, tgid);
  bpf_map_update_elem(&LAST_PARENT_PID, &key, &ppid, BPF_ANY);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
