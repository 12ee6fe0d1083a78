// A kernel struct field read at this kernel's offset (no CO-RE in C++).
#include "pitfall.h"

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next) {
  return prev->pid;  // error: 'prev->pid' uses this kernel's fixed offset of task_struct::pid
}
