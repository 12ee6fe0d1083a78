// A global aligned beyond a page: its section, and the object written out
// with it, would be padded to that alignment (1 MiB here, 1 GiB for 1 << 30).
#include "pitfall.h"

__u64 counters[4] __attribute__((aligned(1 << 20)));  // error: global 'counters' is aligned to 1048576 bytes, more than 4096; its section, and so the object, would be padded

SEC("xdp")
int count(struct xdp_md *ctx) {
  counters[0]++;
  return XDP_PASS;
}
