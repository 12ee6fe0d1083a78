#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpfkit/test.h>

SEC("xdp")
BPFKIT_TEST_PACKET("eth/ipv4/udp")
BPFKIT_EXPECT_RETVAL(XDP_DROP)
int passes_instead(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp")
BPFKIT_EXPECT_FAILURE("invalid access")
int loads_fine(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp")
BPFKIT_MIN_KERNEL(99.0)
BPFKIT_REQUIRES("kfunc:bpfkit_no_such_kfunc")
BPFKIT_TEST_PACKET("eth/ipv4/udp")
BPFKIT_EXPECT_RETVAL(XDP_PASS)
int needs_the_future(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
