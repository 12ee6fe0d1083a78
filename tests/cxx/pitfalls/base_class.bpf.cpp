// A global of a type with a base class: BTF keeps none of the base's members.
#include "pitfall.h"

struct header { __u32 version; };
struct packet_stats : header { __u64 packets; };

packet_stats totals;  // error: global 'totals': its type 'packet_stats' .* has base classes

SEC("xdp")
int count(struct xdp_md *ctx) {
  totals.packets += 1;
  return XDP_PASS;
}
