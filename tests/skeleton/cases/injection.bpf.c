// Names that would turn the skeleton's comments into code if written raw: a
// section name with newlines (the rest of it would compile as C++ into every
// translation unit that includes the skeleton, and print "I" before main()),
// and names ending in a backslash (which would splice the next line of the
// header into a comment).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc\n static inline const int pwned = (__builtin_putchar(73), 0);\n//")
int injected(struct __sk_buff *skb) {
  return 0;
}

SEC("xdp\\")
int backslash(struct xdp_md *ctx) {
  return XDP_PASS;
}

// A custom data section whose name ends in a backslash.
int spliced SEC(".data.spliced\\") = 1;

char LICENSE[] SEC("license") = "GPL";
