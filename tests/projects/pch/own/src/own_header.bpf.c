// Compiled against own/include/vmlinux.h, found through INCLUDE_DIRECTORIES.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct task_struct seen_task;

SEC("tp/syscalls/sys_enter_getpid")
int read_own_task(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  bpf_probe_read_kernel(&seen_task.pid, sizeof(seen_task.pid), &task->pid);
  return OWN_HEADER_RETURN;
}

char LICENSE[] SEC("license") = "GPL";
