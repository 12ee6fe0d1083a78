// CO-RE reads of kernel structures: `stats` must count their relocations.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);    // tgid
  __type(value, __u32);  // its parent's tgid
} parents SEC(".maps");

SEC("kprobe/do_nanosleep")
int on_nanosleep(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  __u32 tgid = BPF_CORE_READ(task, tgid);
  __u32 parent = BPF_CORE_READ(task, real_parent, tgid);
  bpf_map_update_elem(&parents, &tgid, &parent, BPF_ANY);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
