// A map inside a namespace: its name would be mangled.
#include "pitfall.h"

namespace flow {
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");  // error: map 'stats' is declared in namespace 'flow': C\+\+ mangles its name to '_ZN4flow5statsE'
}  // namespace flow

SEC("xdp")
int count(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *n = static_cast<__u64 *>(bpf_map_lookup_elem(&flow::stats, &key));
  if (n) *n += 1;
  return XDP_PASS;
}
