#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int same_name(struct xdp_md *ctx) { return XDP_PASS; }
