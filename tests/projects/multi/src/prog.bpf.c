#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <multi/shared.h>

extern MULTI_COUNTS_MAP;

SEC("xdp")
int count_scaled(struct xdp_md *ctx) {
  __u32 key = 1;
  __u64 *value = bpf_map_lookup_elem(&counts, &key);
  if (value) *value += scale(1);
  return XDP_PASS;
}
