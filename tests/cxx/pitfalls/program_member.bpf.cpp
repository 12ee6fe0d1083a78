// A program that is a member function.
#include "pitfall.h"

struct handlers {
  SEC("xdp") static int count(struct xdp_md *ctx) { return XDP_PASS; }  // error: program 'handlers::count' is a member function
};
