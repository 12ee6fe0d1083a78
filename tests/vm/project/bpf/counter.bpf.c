// Counts packets per IP protocol (PACKETS[proto]) and lets them through.
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, __u32);
  __type(value, __u64);
} PACKETS SEC(".maps");

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
    return XDP_PASS;
  __u32 proto = ip->protocol;
  __u64 one = 1, *count = bpf_map_lookup_elem(&PACKETS, &proto);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&PACKETS, &proto, &one, BPF_NOEXIST);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
