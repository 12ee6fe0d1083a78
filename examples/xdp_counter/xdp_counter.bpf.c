// XDP packet counter: counts every packet that arrives on the interface it is
// attached to, in PACKET_COUNTER[0], and lets the packet through.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} PACKET_COUNTER SEC(".maps");

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&PACKET_COUNTER, &key);
  if (count) {
    // Packets arrive on several CPUs at once: a plain ++ would lose counts.
    __sync_fetch_and_add(count, 1);
    return XDP_PASS;
  }
  // First packet. BPF_NOEXIST makes the insert lose cleanly when another
  // CPU inserted first; then count on the entry that CPU created.
  __u64 one = 1;
  if (bpf_map_update_elem(&PACKET_COUNTER, &key, &one, BPF_NOEXIST) != 0) {
    count = bpf_map_lookup_elem(&PACKET_COUNTER, &key);
    if (count)
      __sync_fetch_and_add(count, 1);
  }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
