// The verifier rejects read_past_end: the IP header is never bounds-checked.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int read_past_end(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  return ip->protocol == 17 ? XDP_DROP : XDP_PASS;  // OOB_READ
}

char LICENSE[] SEC("license") = "GPL";
