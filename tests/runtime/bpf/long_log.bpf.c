// Rejected only after a long walk: the verifier logs thousands of loop
// iterations (megabytes at log level 1) before it reaches the bad read, so
// the first log buffer overflows and the reason is at the very end.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);  // array lookups with a constant key cannot fail
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} values SEC(".maps");

SEC("xdp")
int late_null_deref(struct xdp_md *ctx) {
  __u64 mix = ctx->ingress_ifindex;
#pragma clang loop unroll(disable)
  for (__u32 i = 0; i < 6000; i++)
    mix = (mix ^ i) * 31 + (mix >> 7);
  __u32 key = 0;
  __u64 *value = bpf_map_lookup_elem(&values, &key);
  return *value == mix ? XDP_DROP : XDP_PASS;  // no NULL check
}

char LICENSE[] SEC("license") = "GPL";
