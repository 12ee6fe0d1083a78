// The same for a function's static variable, a global in .bss all the same.
#include "pitfall.h"

SEC("xdp")
int count(struct xdp_md *ctx) {
  static __u64 seen __attribute__((aligned(1 << 13)));  // error: static variable 'seen' is aligned to 8192 bytes, more than 4096
  seen++;
  return XDP_PASS;
}
