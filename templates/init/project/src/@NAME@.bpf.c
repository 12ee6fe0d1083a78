// @NAME@: counts the packets that arrive on an interface, per IP protocol
// (6 TCP, 17 UDP, 1 ICMP, ...; 0 for frames that are not IPv4), and lets
// every packet through.
#include "vmlinux.h"  // the kernel's types, generated from its BTF
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800  // a macro: not in the kernel's BTF, so not in vmlinux.h

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, __u32);    // IP protocol
  __type(value, __u64);  // packets
} packets SEC(".maps");

// The IP protocol of the frame, or 0. Every read is checked against
// data_end first: the verifier rejects the program otherwise.
static __u32 ip_protocol(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
    return 0;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end)
    return 0;
  return ip->protocol;
}

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  __u32 protocol = ip_protocol(ctx);
  __u64 *count = bpf_map_lookup_elem(&packets, &protocol);
  if (count) {
    __sync_fetch_and_add(count, 1);  // packets arrive on several CPUs at once
    return XDP_PASS;
  }
  // The protocol's first packet. BPF_NOEXIST loses cleanly when another CPU
  // inserted it first; then count on that CPU's entry.
  __u64 one = 1;
  if (bpf_map_update_elem(&packets, &protocol, &one, BPF_NOEXIST) != 0) {
    count = bpf_map_lookup_elem(&packets, &protocol);
    if (count)
      __sync_fetch_and_add(count, 1);
  }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
