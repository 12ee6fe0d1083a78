// Drops UDP packets whose destination port is in `blocked`, counting them
// per port in `hits`.
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u16);
  __type(value, __u8);
} blocked SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u16);
  __type(value, __u64);
} hits SEC(".maps");

SEC("xdp")
int drop_blocked_ports(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP || ip->ihl != 5) return XDP_PASS;
  struct udphdr *udp = (void *)(ip + 1);
  if ((void *)(udp + 1) > end) return XDP_PASS;
  __u16 port = bpf_ntohs(udp->dest);
  if (!bpf_map_lookup_elem(&blocked, &port)) return XDP_PASS;
  __u64 one = 1;
  __u64 *count = bpf_map_lookup_elem(&hits, &port);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&hits, &port, &one, BPF_NOEXIST);
  return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
