// A user's own CO-RE struct: clang drops preserve_access_index in C++.
#include "pitfall.h"

struct task_struct___old {
  int pid;
} __attribute__((preserve_access_index));  // error: clang ignores preserve_access_index in C\+\+

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next) {
  return BPF_CORE_READ(reinterpret_cast<struct task_struct___old *>(prev), pid);
}
