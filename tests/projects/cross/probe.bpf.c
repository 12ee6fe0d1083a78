// A program whose compile states the target it was built for.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#if !defined(__TARGET_ARCH_x86) && !defined(__TARGET_ARCH_arm64) && !defined(__TARGET_ARCH_s390) && \
    !defined(__TARGET_ARCH_riscv) && !defined(__TARGET_ARCH_powerpc)
#error "no __TARGET_ARCH_<arch>"
#endif

#ifdef WITH_HELPER
int helper_value(void);
#else
static int helper_value(void) { return XDP_PASS; }
#endif

// The byte order the object was compiled for, readable in its .rodata.
const volatile unsigned int byte_order_probe = 0x01020304;

SEC("xdp")
int probe(struct xdp_md *ctx) { return helper_value() + (byte_order_probe & 0); }

char LICENSE[] SEC("license") = "GPL";
