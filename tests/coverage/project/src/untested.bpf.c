#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int untested(struct xdp_md *ctx) {
  return XDP_DROP;  // COVER(untested)
}

char LICENSE[] SEC("license") = "GPL";
