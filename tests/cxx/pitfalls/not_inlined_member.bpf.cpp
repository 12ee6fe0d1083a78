// An inline member function the optimizer did not inline: C++ gives it a
// section of its own (COMDAT), which libbpf would take for a program.
#include "pitfall.h"

struct accumulator {
  int total;
  __attribute__((noinline)) int add(int value) { return total + value; }  // error: function 'accumulator::add\(int\)' .* was not inlined
};

SEC("xdp")
int count(struct xdp_md *ctx) {
  accumulator acc{static_cast<int>(ctx->ingress_ifindex)};
  return acc.add(1) > 2 ? XDP_PASS : XDP_DROP;
}
