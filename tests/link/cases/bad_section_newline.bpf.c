// Issue 9: a section name that ends a `//` comment in generated code and
// injects C++ into every program that includes the skeleton.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc\n static inline const int pwned = (__builtin_putchar(73), 0);\n//")
int handle(struct __sk_buff *skb) { return 0; }

char LICENSE[] SEC("license") = "GPL";
