// offsetof on a kernel struct is this kernel's offset.
#include "pitfall.h"

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next) {
  unsigned long pid;
  bpf_probe_read_kernel(&pid, sizeof(int),
                        (char *)prev + offsetof(struct task_struct, pid));  // error: offsetof\(struct task_struct, pid\) is this kernel's offset
  return pid;
}
