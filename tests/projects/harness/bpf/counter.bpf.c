#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} PACKET_COUNTER SEC(".maps");

struct flow_key {
  __u32 addr;
  __u16 port;
  __u8 proto;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, struct flow_key);
  __type(value, __u64);
} flows SEC(".maps");

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 one = 1, *count = bpf_map_lookup_elem(&PACKET_COUNTER, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&PACKET_COUNTER, &key, &one, BPF_NOEXIST);
  return XDP_PASS;
}

// A classic bug: the key's padding is left as stack garbage, so user space
// can never look the entry up.
SEC("xdp")
int record_flow(struct xdp_md *ctx) {
  volatile char garbage[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  (void)garbage[0];
  struct flow_key key;
  key.addr = 1;
  key.port = 2;
  key.proto = 3;
  __u64 one = 1;
  bpf_map_update_elem(&flows, &key, &one, BPF_ANY);
  return XDP_PASS;
}

SEC("xdp")
int read_past_end(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  return data[40] ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
