// Two global functions of one plain name: BPF knows functions by that name.
#include "pitfall.h"

__noinline int weight(int packets) { return packets * 2; }
__noinline int weight(long bytes) { return static_cast<int>(bytes / 64); }  // error: function 'weight' is also defined at .*overloaded.bpf.cpp:4

SEC("xdp")
int count(struct xdp_md *ctx) { return weight(1) + weight(2L) > 3 ? XDP_PASS : XDP_DROP; }
