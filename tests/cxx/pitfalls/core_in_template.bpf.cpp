// The same read hidden in a template: found in its instantiation.
#include "pitfall.h"

template <typename Task>
static __always_inline int tgid_of(const Task *task) {
  return task->tgid;  // error: 'task->tgid' uses this kernel's fixed offset of task_struct::tgid
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next) {
  return tgid_of(next);
}
