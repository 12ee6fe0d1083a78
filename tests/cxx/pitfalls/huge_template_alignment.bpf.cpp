// The same inside a function template: found in its instantiation.
#include "pitfall.h"

template <class T>
static __always_inline T bump() {
  static T seen __attribute__((aligned(8192)));  // error: static variable 'seen' is aligned to 8192 bytes, more than 4096
  seen++;
  return seen;
}

SEC("xdp")
int count(struct xdp_md *ctx) { return bump<__u32>() ? XDP_PASS : XDP_DROP; }
