#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "shared.h"
#ifndef REBUILD_RETVAL
#define REBUILD_RETVAL XDP_DROP
#endif

SEC("xdp")
int prog_uses_header(struct xdp_md *ctx) { return REBUILD_RETVAL; }

char LICENSE[] SEC("license") = "GPL";
