// The same through the type: a global of an over-aligned struct.
#include "pitfall.h"

struct alignas(1 << 16) slot {
  __u64 packets;
};

slot slots[2];  // error: global 'slots' is aligned to 65536 bytes, more than 4096

SEC("xdp")
int count(struct xdp_md *ctx) {
  slots[0].packets++;
  return XDP_PASS;
}
