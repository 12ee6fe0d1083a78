// A map value type with a member function: BTF the kernel rejects.
#include "pitfall.h"

struct counters {
  __u64 packets;
  __u64 bytes;
  __u64 average() const { return packets ? bytes / packets : 0; }
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct counters);  // error: map 'stats': its value type 'counters' \(.*method_in_map_value.bpf.cpp:4\) has the member function 'average'
} stats SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx) {
  __u32 key = 0;
  auto *c = static_cast<struct counters *>(bpf_map_lookup_elem(&stats, &key));
  if (c) c->packets += 1;
  return XDP_PASS;
}
