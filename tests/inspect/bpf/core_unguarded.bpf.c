// A read of a field no kernel has, without a bpf_core_field_exists()
// guard: `bpfkit core` must exit 1 naming the line of that read (marked
// below), and the verifier rejects the poisoned instruction.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct task_struct___missing {
  int no_such_field;
} __attribute__((preserve_access_index));

int seen = 0;

SEC("tracepoint/syscalls/sys_enter_nanosleep")
int unguarded(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  seen = BPF_CORE_READ(task, tgid);
  struct task_struct___missing *missing = (void *)task;
  seen += BPF_CORE_READ(missing, no_such_field);  // UNGUARDED_READ
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
