// One program whose requirement annotation is wrong (CASE_<name>).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/test.h>

SEC("xdp")
#if defined(CASE_misspelled_feature)
BPFKIT_REQUIRES("prog:xdp prog:xpd")
#elif defined(CASE_bad_version)
BPFKIT_MIN_KERNEL(6)
#elif defined(CASE_no_feature)
BPFKIT_REQUIRES(" ")
#endif
BPFKIT_EXPECT_RETVAL(XDP_PASS)
int needs_much(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
