// A global of a type with virtual functions.
#include "pitfall.h"

struct shape {
  int sides;
  virtual int corners() const { return sides; }
};

shape triangle;  // error: global 'triangle': its type 'shape' .* has virtual functions

SEC("xdp")
int count(struct xdp_md *ctx) { return triangle.sides > 2 ? XDP_PASS : XDP_DROP; }
