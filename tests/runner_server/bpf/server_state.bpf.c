// State that a test of the test server can see leak: an array, a hash, a
// per-CPU array, .bss and .data, all written by every run. A run that finds
// them as a fresh load leaves them returns RETURNED (compiled in, so that a
// rebuilt object with another value shows whether the server reloaded it);
// one that finds a previous test's state returns XDP_ABORTED.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef RETURNED
#define RETURNED XDP_PASS
#endif

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} rsrv_counts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, __u32);
  __type(value, __u64);
} rsrv_seen SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} rsrv_per_cpu SEC(".maps");

__u64 runs = 0;      // .bss
__u64 started = 7;   // .data
volatile const __u32 returned = RETURNED;  // .rodata

SEC("xdp")
int rsrv_bump(struct xdp_md *ctx) {
  __u32 zero = 0, key = 7;
  __u64 one = 1;
  __u64 *count = bpf_map_lookup_elem(&rsrv_counts, &zero);
  __u64 *cpu = bpf_map_lookup_elem(&rsrv_per_cpu, &zero);
  __u64 *seen = bpf_map_lookup_elem(&rsrv_seen, &key);
  int fresh = count && *count == 0 && cpu && *cpu == 0 && !seen && runs == 0 && started == 7;
  if (count) *count += 1;
  if (cpu) *cpu += 1;
  bpf_map_update_elem(&rsrv_seen, &key, &one, BPF_ANY);
  runs += 1;
  started += 1;
  return fresh ? returned : XDP_ABORTED;
}

// Rejected by the verifier: reads the packet without a bounds check.
SEC("xdp")
int rsrv_reject(struct xdp_md *ctx) {
  return *(unsigned char *)(long)ctx->data;
}

// Prints, so that a failure shows what it printed.
SEC("xdp")
int rsrv_print(struct xdp_md *ctx) {
  bpf_printk("rsrv_print ran");
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
