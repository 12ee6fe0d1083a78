// References a function and a variable that no input defines.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int lookup_policy(__u32 key);
extern int policy_version;

SEC("xdp")
int enforce(struct xdp_md *ctx) { return lookup_policy(ctx->ingress_ifindex) + policy_version; }

char LICENSE[] SEC("license") = "GPL";
