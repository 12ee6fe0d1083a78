// Two programs the verifier accepts: an XDP packet counter and a tc
// classifier (`verify`, `stats`, `dump` of a healthy object).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} packets SEC(".maps");

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&packets, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  return XDP_PASS;
}

SEC("tc")
int drop_short(struct __sk_buff *skb) {
  return skb->len < 64 ? 2 /* TC_ACT_SHOT */ : 0 /* TC_ACT_OK */;
}

char LICENSE[] SEC("license") = "GPL";
