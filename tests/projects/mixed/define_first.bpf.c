/* A define before vmlinux.h changes what it declares: no PCH for this one. */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int define_first(struct xdp_md *ctx) { return XDP_PASS; }
