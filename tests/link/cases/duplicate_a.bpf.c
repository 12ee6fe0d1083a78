// Defines program "handle_packet"; duplicate_b.bpf.c does too.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int handle_packet(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
