// A reference parameter of a function that keeps its BTF.
#include "pitfall.h"

__noinline int scaled(const int &value) {  // error: parameter 'value' of function 'scaled' is a reference
  return value * 3;
}

SEC("xdp")
int count(struct xdp_md *ctx) {
  int packets = static_cast<int>(ctx->ingress_ifindex);
  return scaled(packets) > 3 ? XDP_PASS : XDP_DROP;
}
