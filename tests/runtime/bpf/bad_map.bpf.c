// A map the kernel refuses to create: an LPM trie without BPF_F_NO_PREALLOC
// (EINVAL). The load fails before any program reaches the verifier; the
// report must name the map and give libbpf's reason.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "runtime_types.h"

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);  // BAD_MAP: no BPF_F_NO_PREALLOC
  __uint(max_entries, 16);
  __type(key, struct ipv4_prefix);
  __type(value, __u32);
} routes SEC(".maps");

SEC("xdp")
int route(struct xdp_md *ctx) {
  struct ipv4_prefix prefix = {.prefixlen = 32};
  __u32 *hop = bpf_map_lookup_elem(&routes, &prefix);
  return hop ? XDP_TX : XDP_PASS;
}

SEC("xdp")
int pass_all(struct xdp_md *ctx) {
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
