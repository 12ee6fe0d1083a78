// Returns the XDP action in settings[0] (XDP_PASS when unset or 0) and counts
// each verdict in `verdicts`.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u32);
} settings SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u64);
} verdicts SEC(".maps");

SEC("xdp")
int decide(struct xdp_md *ctx) {
  __u32 zero = 0;
  __u32 *configured = bpf_map_lookup_elem(&settings, &zero);
  __u32 verdict = configured && *configured && *configured <= XDP_TX ? *configured : XDP_PASS;
  __u64 one = 1;
  __u64 *count = bpf_map_lookup_elem(&verdicts, &verdict);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&verdicts, &verdict, &one, BPF_NOEXIST);
  return verdict;
}

char LICENSE[] SEC("license") = "GPL";
