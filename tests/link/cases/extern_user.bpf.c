// Uses the map and the __hidden function of shared_defs.bpf.c through extern.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u64);
} shared_counts SEC(".maps");

extern __hidden int classify(__u32 length);

SEC("xdp")
int count_by_size(struct xdp_md *ctx) {
  __u32 key = classify(ctx->data_end - ctx->data);
  __u64 one = 1, *value = bpf_map_lookup_elem(&shared_counts, &key);
  if (value)
    __sync_fetch_and_add(value, 1);
  else
    bpf_map_update_elem(&shared_counts, &key, &one, BPF_ANY);
  return XDP_PASS;
}
