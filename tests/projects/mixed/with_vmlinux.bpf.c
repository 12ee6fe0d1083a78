/* vmlinux.h first: compiled with the precompiled header. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int with_vmlinux(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
