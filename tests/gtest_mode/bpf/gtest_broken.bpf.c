// A program the verifier rejects (it reads past the end of the packet
// without a bounds check): the skeleton fixture's load failure message.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int read_past_end(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  return data[64] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
