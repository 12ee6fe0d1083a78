// A program the verifier must reject: it reads a map value without checking
// the lookup's result for NULL. The line of the read is what the load error
// has to point at.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);  // array lookups with a constant key cannot fail
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} values SEC(".maps");

SEC("xdp")
int null_deref(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *value = bpf_map_lookup_elem(&values, &key);
  return *value == 42 ? XDP_DROP : XDP_PASS;  // BROKEN_LINE: no NULL check
}

char LICENSE[] SEC("license") = "GPL";
