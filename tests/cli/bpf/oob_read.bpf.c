// One program the verifier accepts and one it rejects: read_past_end reads
// the IP header after checking only that the Ethernet header fits in the
// packet. `bpfkit verify` must point at the line marked OOB_READ (the tests
// find it by that marker, so the line may move).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int parse_checked(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end)
    return XDP_PASS;
  return ip->protocol == 17 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int read_past_end(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end)
    return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  return ip->protocol == 17 ? XDP_DROP : XDP_PASS;  // OOB_READ: the IP header is never bounds-checked
}

char LICENSE[] SEC("license") = "GPL";
