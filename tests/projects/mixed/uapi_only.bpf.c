// No vmlinux.h: the kernel's UAPI headers, as a plain clang compile would.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int uapi_only(struct xdp_md *ctx) { return XDP_PASS; }
