// CO-RE relocations of every kind `bpfkit core` reports, for
// tests/inspect: fields that every kernel has, fields some kernels lack
// (guarded by bpf_core_field_exists, so libbpf's poisoned reads are dead
// code), bitfields, enum values, types, a subprogram, and loads and stores
// of a program context and a packet (UAPI structs, laid out the same on every
// kernel). Loaded by kernel/load_test.cpp to compare the predicted values with
// the ones libbpf writes.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

// No kernel has this field.
struct task_struct___missing {
  int no_such_field;
} __attribute__((preserve_access_index));

// 6.1 has thread_group; kernels since 6.? do not.
struct task_struct___v61 {
  struct list_head thread_group;
} __attribute__((preserve_access_index));

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 16);
  __type(key, __u32);
  __type(value, __u64);
} results SEC(".maps");

static __always_inline void store(__u32 slot, __u64 value) {
  bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

// A subprogram with its own relocation.
static __noinline __u64 parent_pid(struct task_struct *task) {
  return BPF_CORE_READ(task, real_parent, pid);
}

SEC("tracepoint/syscalls/sys_enter_nanosleep")
int probe(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  store(0, BPF_CORE_READ(task, tgid));  // CORE_TGID
  store(1, bpf_core_field_size(task->comm));
  store(2, BPF_CORE_READ_BITFIELD_PROBED(task, in_execve));
  struct task_struct___missing *missing = (void *)task;
  if (bpf_core_field_exists(missing->no_such_field))  // CORE_MISSING_CHECK
    store(3, BPF_CORE_READ(missing, no_such_field));  // CORE_MISSING_READ
  if (bpf_core_field_exists(task->mm_cid))  // CORE_HOST_ONLY_CHECK
    store(4, BPF_CORE_READ(task, mm_cid));  // CORE_HOST_ONLY_READ
  struct task_struct___v61 *old = (void *)task;
  if (bpf_core_field_exists(old->thread_group))  // CORE_V61_ONLY_CHECK
    store(5, (__u64)BPF_CORE_READ(old, thread_group.next));  // CORE_V61_ONLY_READ
  store(6, bpf_core_type_exists(struct task_struct));
  store(7, bpf_core_type_size(struct task_struct));
  store(8, bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_ringbuf_output));
  store(9, bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_get_current_task));
  store(10, bpf_core_type_id_kernel(struct task_struct));
  store(11, parent_pid(task));
#if __clang_major__ >= 15  // BPF_TYPE_MATCHES came with LLVM 15
  store(12, bpf_core_type_matches(struct task_struct));
#endif
  return 0;
}

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

SEC("tc")
int classify(struct __sk_buff *skb) {
  void *data = (void *)(long)skb->data;
  void *end = (void *)(long)skb->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end) return TC_ACT_OK;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > end) return TC_ACT_OK;
  skb->mark = ip->ttl;
  return ip->protocol == IPPROTO_UDP && skb->len > 100 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
