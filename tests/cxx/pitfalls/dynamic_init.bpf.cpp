// A global initialized by code: BPF objects run no constructors.
#include "pitfall.h"

static __u32 computed() { return bpf_get_prandom_u32(); }

__u32 seed = computed();  // error: global 'seed' needs code to run before the program

SEC("xdp")
int count(struct xdp_md *ctx) { return seed ? XDP_PASS : XDP_DROP; }
