// Compiled against the vmlinux.h next to it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct task_struct seen_task;

SEC("tp/syscalls/sys_enter_getpid")
int read_beside_task(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  bpf_probe_read_kernel(&seen_task.tgid, sizeof(seen_task.tgid), &task->tgid);
  return BESIDE_RETURN;
}

char LICENSE[] SEC("license") = "GPL";
