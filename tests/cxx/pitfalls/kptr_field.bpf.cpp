// A kptr field of a map value: __kptr is a BTF type tag, which clang drops
// in C++, so the kernel would see a plain pointer and refuse kptr helpers.
#include "pitfall.h"

struct task_slot {
  struct task_struct __kptr *task;  // error: __kptr is a BTF type tag, which clang ignores in C\+\+
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct task_slot);
} slots SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx) {
  __u32 key = 0;
  return bpf_map_lookup_elem(&slots, &key) ? XDP_PASS : XDP_DROP;
}
