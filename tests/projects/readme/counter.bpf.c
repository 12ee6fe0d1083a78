// counter.bpf.c: the README's example. Counts every packet in
// PACKET_COUNTER[0] and lets it pass; the key comes from helpers.bpf.c.
#include "vmlinux.h"            // generated from the kernel's BTF; precompiled
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} PACKET_COUNTER SEC(".maps");

__u32 counter_key(void);  // helpers.bpf.c

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  __u32 key = counter_key();
  __u64 one = 1;
  __u64 *count = bpf_map_lookup_elem(&PACKET_COUNTER, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&PACKET_COUNTER, &key, &one, BPF_NOEXIST);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
