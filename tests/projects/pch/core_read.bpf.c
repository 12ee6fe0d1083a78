// Reads task_struct fields without BPF_CORE_READ: the fields are CO-RE
// relocations because vmlinux.h marks its structs preserve_access_index,
// unless BPF_NO_PRESERVE_ACCESS_INDEX is defined.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 last_pid_tgid;

SEC("tp/syscalls/sys_enter_getpid")
int read_task(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  int pid = 0, tgid = 0;
  bpf_probe_read_kernel(&pid, sizeof(pid), &task->pid);
  bpf_probe_read_kernel(&tgid, sizeof(tgid), &task->tgid);
  last_pid_tgid = ((__u64)tgid << 32) | (__u32)pid;
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
