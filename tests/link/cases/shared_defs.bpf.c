// Defines a map and a hidden (BTF-static) function for extern_user.bpf.c.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u64);
} shared_counts SEC(".maps");

__hidden int classify(__u32 length) {
  return length > 1000 ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
