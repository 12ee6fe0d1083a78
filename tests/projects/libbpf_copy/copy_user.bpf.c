// Must be compiled against the marked copy of libbpf's headers.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef BPFKIT_TEST_LIBBPF_COPY
#error "compiled against the system's libbpf headers, not the copy the project chose"
#endif

SEC("xdp")
int pass_all(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
