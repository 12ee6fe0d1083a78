// A section name ending in a backslash splices the next generated line into
// a `//` comment.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp\\")
int trailing_backslash(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
