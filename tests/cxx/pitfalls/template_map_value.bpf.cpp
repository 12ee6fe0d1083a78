// A template instantiation as a map value: BTF name 'counter<unsigned long long>'.
#include "pitfall.h"

template <typename T>
struct counter {
  T value;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, counter<__u64>);  // error: map 'stats': its value type 'counter<unsigned long long>' .* is a template instantiation
} stats SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx) {
  __u32 key = 0;
  auto *c = static_cast<counter<__u64> *>(bpf_map_lookup_elem(&stats, &key));
  if (c) c->value += 1;
  return XDP_PASS;
}
