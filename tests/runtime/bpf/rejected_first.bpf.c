// Two programs: the first one the verifier rejects, the second one it
// accepts. One failing program must not hide the verdict of the other.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
int unchecked_lookup(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *value = bpf_map_lookup_elem(&seen, &key);
  return *value ? XDP_DROP : XDP_PASS;  // no NULL check
}

SEC("xdp")
int checked_lookup(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *value = bpf_map_lookup_elem(&seen, &key);
  return value && *value ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
