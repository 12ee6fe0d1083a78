// A program without a license section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int unlicensed(struct xdp_md *ctx) { return XDP_PASS; }
