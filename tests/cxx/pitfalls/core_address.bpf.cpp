// The address of a kernel struct field, computed at this kernel's offset.
#include "pitfall.h"

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx) {
  auto *task = reinterpret_cast<struct task_struct *>(bpf_get_current_task());
  char comm[16];
  bpf_probe_read_kernel_str(comm, sizeof comm, &task->comm);  // error: 'task->comm' uses this kernel's fixed offset of task_struct::comm.*__builtin_preserve_access_index\(&task->comm\)
  return comm[0];
}
