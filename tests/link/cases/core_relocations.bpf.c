// CO-RE relocations (.BTF.ext core_relo records) and BPF-to-BPF calls, for
// the byte order tests.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_like {
  int pid;
  struct task_like *parent;
  long long start_time;
} __attribute__((preserve_access_index));

static __attribute__((noinline)) int parent_pid(struct task_like *task) {
  return BPF_CORE_READ(task, parent, pid);
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx) {
  struct task_like *task = (void *)bpf_get_current_task();
  if (bpf_core_field_exists(task->start_time)) return parent_pid(task);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
