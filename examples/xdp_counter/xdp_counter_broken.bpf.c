// A broken variant of the counter, kept to show (and test) how a verifier
// rejection is reported: it reads the packet without checking its length.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int count_packets_unchecked(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  return data[12] == 0x08 ? XDP_PASS : XDP_DROP;  // no bounds check: rejected
}

char LICENSE[] SEC("license") = "GPL";
