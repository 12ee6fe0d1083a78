// Clean C++ with the template shapes whose declarations have no layout of
// their own (bpfkit-check must skip the patterns and check their
// instantiations): a static variable inside a function template, and a
// variable template.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

template <class T>
static __always_inline T bump() {
  static T seen;
  seen++;
  return seen;
}

template <class T>
T tally;

SEC("xdp")
int count(struct xdp_md *ctx) {
  tally<__u32> += 1;
  return bump<__u32>() ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
