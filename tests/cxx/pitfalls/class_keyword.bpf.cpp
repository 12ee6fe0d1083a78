// A type declared with `class`: clang writes no BTF for it.
#include "pitfall.h"

class limits {
 public:
  __u32 max_packets;
};

limits packet_limits;  // error: global 'packet_limits': its type 'limits' .* is declared with 'class'

SEC("xdp")
int count(struct xdp_md *ctx) { return packet_limits.max_packets ? XDP_PASS : XDP_DROP; }
