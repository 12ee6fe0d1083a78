// A global inside a namespace: its BTF name (and skeleton member) would be mangled.
#include "pitfall.h"

namespace flow {
__u64 packets;  // error: global 'packets' is declared in namespace 'flow'
}

SEC("xdp")
int count(struct xdp_md *ctx) {
  flow::packets += 1;
  return XDP_PASS;
}
